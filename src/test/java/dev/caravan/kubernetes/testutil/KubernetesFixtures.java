package dev.caravan.kubernetes.testutil;

import dev.caravan.testutil.Pipelines;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.kubernetes.JobKind;
import dev.caravan.kubernetes.KubernetesSettings;
import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;
import dev.caravan.training.TrainingRequest;

/** Settings, requests and cluster objects for tests of the kubernetes runtime. */
public final class KubernetesFixtures {

    public static final String NAMESPACE = "caravan-test";

    private KubernetesFixtures() {
    }

    /** A TFJob of one Chief on CPUs: the shipped default. */
    public static KubernetesSettings settings() {
        return settings(training(JobKind.TFJob, 1, 0, 0));
    }

    public static KubernetesSettings settings(KubernetesSettings.Training training) {
        return new KubernetesSettings(NAMESPACE, "", "",
                new KubernetesSettings.S3("minio.caravan-test.svc:9000", "caravan-s3", "awsAccessKeyID", "awsSecretAccessKey"),
                training,
                new KubernetesSettings.TensorBoard("tensorflow/tensorflow:2.6.5", Duration.ofDays(7), "500m", "1Gi"),
                new KubernetesSettings.Serving("tensorflow/serving:2.18.0", "amazon/aws-cli:2.17.0", 1,
                        KubernetesSettings.Access.SERVICE, Duration.ofSeconds(5), "1", "2Gi"),
                new KubernetesSettings.Leader(true, "caravan-0", Map.of("app.kubernetes.io/name", "caravan"),
                        Duration.ofSeconds(1), Duration.ofMillis(800), Duration.ofMillis(200)),
                new KubernetesSettings.Api(3, Duration.ofMillis(10)));
    }

    public static KubernetesSettings.Training training(JobKind kind, int chief, int workers, int ps) {
        return new KubernetesSettings.Training(kind, "ghcr.io/caravan-dev/caravan:0.1.0",
                "ghcr.io/caravan-dev/caravan:0.1.0-gpu",
                List.of("java", "-cp", "/app/caravan.jar:/app/lib/*", "dev.caravan.training.MnistTrainer"), List.of(),
                chief, workers, ps, "1", "2Gi", 0, Map.of(), List.of(), "Running", 3600, 1800, 2);
    }

    /** {@code gpu} GPUs per computing replica, on GPU nodes, with {@code gpuImage} as the built-in trainer's image. */
    public static KubernetesSettings.Training gpuTraining(int workers, int ps, int gpu, String gpuImage) {
        return new KubernetesSettings.Training(JobKind.TFJob, "ghcr.io/caravan-dev/caravan:0.1.0", gpuImage,
                List.of("java", "-cp", "/app/caravan.jar:/app/lib/*", "dev.caravan.training.MnistTrainer"), List.of(),
                1, workers, ps, "1", "2Gi", gpu, Map.of("cloud.google.com/gke-accelerator", "nvidia-tesla-t4"),
                List.of(new KubernetesSettings.Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule")),
                "Running", 3600, 1800, 2);
    }

    public static S3Settings s3() {
        return new S3Settings(URI.create("http://127.0.0.1:9000"), "us-east-1", "AKIDTEST", "SECRETTEST", false);
    }

    public static TrainingRequest request(String runName) {
        return request(runName, Map.of());
    }

    /** A run of the built-in CNN with {@code extra} parameters beside its steps, batch size and learning rate. */
    public static TrainingRequest request(String runName, Map<String, String> extra) {
        S3Location bucket = S3Location.parse("s3://tfmnist/");
        Map<String, String> parameters = new java.util.TreeMap<>(Pipelines.parameters(200, 50, 0.001));
        parameters.putAll(extra);
        return new TrainingRequest(runName, bucket.resolve("data/mnist/"), bucket.resolve("training/" + runName + "/"),
                bucket.resolve("models/mnist/1/"), Pipelines.cnnTrainer(Duration.ofSeconds(10)), parameters);
    }

    /** A run of a pipeline with a trainer of its own, {@code python train.py} in {@code image} (null: none given). */
    public static TrainingRequest commandRequest(String runName, String image) {
        S3Location bucket = S3Location.parse("s3://tfmnist/");
        Map<String, String> parameters = Map.of("epochs", "3");
        return new TrainingRequest(runName, bucket.resolve("data/mnist/"), bucket.resolve("training/" + runName + "/"),
                bucket.resolve("models/mnist/1/"), new PipelineDefinition.Trainer(null, List.of("python", "train.py"),
                        image, parameters, Duration.ofSeconds(10)), parameters);
    }

    public static void createS3Secret(KubernetesClient client) {
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("caravan-s3")
                .endMetadata().addToStringData("awsAccessKeyID", "AKIDTEST")
                .addToStringData("awsSecretAccessKey", "SECRETTEST").build()).create();
    }
}
