package dev.caravan.kubernetes;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;

/**
 * TensorFlow Serving for one model. TensorFlow Serving from 2.7 on cannot read s3://, so an init container copies the
 * promoted version's folder from S3 to a volume and the server's base path holds that version only: what is served
 * is exactly the promoted version, and changing it rolls the Deployment (old pods answer until new ones are ready).
 * A pod is ready once that version is AVAILABLE; a PodDisruptionBudget keeps serving through node drains.
 */
public final class ServingManifests {

    static final int GRPC_PORT = 8500;
    static final int REST_PORT = 8501;
    private static final String MODELS = "/models";
    private static final int STARTUP_PERIOD_SECONDS = 5;
    // Copying one SavedModel from S3 needs little.
    private static final String LOADER_CPU = "250m";
    private static final String LOADER_MEMORY = "256Mi";

    private final KubernetesSettings settings;
    private final S3Settings s3;

    public ServingManifests(KubernetesSettings settings, S3Settings s3) {
        this.settings = settings;
        this.s3 = s3;
    }

    public static String name(String model) {
        return "tf-serving-" + model;
    }

    public Deployment deployment(String model, long version, S3Location export) {
        Names.dnsLabel("model name", model);
        Names.image("caravan.kubernetes.serving.image", settings.serving().image());
        Names.image("caravan.kubernetes.serving.loader-image", settings.serving().loaderImage());
        S3Settings podS3 = PodEnvironment.podS3(s3, settings.s3());
        String basePath = MODELS + "/" + model;
        Map<String, String> labels = labels(model);
        return new DeploymentBuilder()
                .withNewMetadata().withName(name(model)).withNamespace(settings.namespace()).withLabels(labels)
                .addToAnnotations(Names.MODEL_VERSION, Long.toString(version)).endMetadata()
                .withNewSpec().withReplicas(settings.serving().replicas())
                .withNewSelector().withMatchLabels(selector(model)).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString(1)).endRollingUpdate().endStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).addToAnnotations(Names.MODEL_VERSION, Long.toString(version)).endMetadata()
                .withNewSpec().withSecurityContext(PodSecurity.pod()).withAutomountServiceAccountToken(false)
                .addNewInitContainer().withName("load-model").withImage(settings.serving().loaderImage())
                .withCommand("aws").withArgs("s3", "cp", "--recursive", "--endpoint-url", podS3.endpoint().toString(),
                        export.asPrefix().uri(), basePath + "/" + version + "/")
                .withEnv(PodEnvironment.s3(s3, settings.s3())).addToEnv(new EnvVar("HOME", PodSecurity.TMP_PATH, null))
                .withResources(PodSecurity.resources(LOADER_CPU, LOADER_MEMORY)).withSecurityContext(PodSecurity.container())
                .addNewVolumeMount().withName("models").withMountPath(MODELS).endVolumeMount()
                .addToVolumeMounts(PodSecurity.tmpMount())
                .endInitContainer()
                .addNewContainer().withName("tensorflow-serving").withImage(settings.serving().image())
                .withArgs("--model_name=" + model, "--model_base_path=" + basePath,
                        "--port=" + GRPC_PORT, "--rest_api_port=" + REST_PORT)
                .addNewPort().withName("grpc").withContainerPort(GRPC_PORT).endPort()
                .addNewPort().withName("http").withContainerPort(REST_PORT).endPort()
                .withStartupProbe(probe(availablePath(model, version), STARTUP_PERIOD_SECONDS,
                        (int) Math.max(1, settings.serving().readyTimeout().toSeconds() / STARTUP_PERIOD_SECONDS)))
                .withReadinessProbe(probe(availablePath(model, version), 5, 3))
                .withLivenessProbe(probe("/v1/models/" + model, 10, 3))
                .withResources(PodSecurity.resources(settings.serving().cpu(), settings.serving().memory()))
                .withSecurityContext(PodSecurity.container())
                .addNewVolumeMount().withName("models").withMountPath(MODELS).withReadOnly(true).endVolumeMount()
                .addToVolumeMounts(PodSecurity.tmpMount())
                .endContainer()
                .addNewVolume().withName("models").withNewEmptyDir().endEmptyDir().endVolume()
                .addToVolumes(PodSecurity.tmpVolume("1Gi"))
                .endSpec().endTemplate()
                .endSpec().build();
    }

    /**
     * The REST path that answers 200 only once {@code version} is AVAILABLE. {@code GET /v1/models/<m>} is no such
     * check: it answers 200 as soon as TensorFlow Serving knows any state of the model (START, LOADING, or END after
     * a failed load), and a probe cannot read the body. A version's metadata needs a handle on the loaded servable,
     * which the server hands out only for an available version, and answers 404 before (tensorflow/serving
     * {@code get_model_status_impl.cc}, {@code get_model_metadata_impl.cc}).
     */
    static String availablePath(String model, long version) {
        return "/v1/models/" + model + "/versions/" + version + "/metadata";
    }

    /**
     * Keeps all but one serving pod through voluntary disruptions (a node drain), one pod at a time; with one
     * replica a drain still goes through, with a short gap in serving, rather than blocking the node.
     */
    public PodDisruptionBudget podDisruptionBudget(String model) {
        return new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName(name(model)).withNamespace(settings.namespace()).withLabels(labels(model))
                .endMetadata()
                .withNewSpec().withMaxUnavailable(new IntOrString(1)).withNewSelector().withMatchLabels(selector(model))
                .endSelector().endSpec().build();
    }

    public Service service(String model) {
        return new ServiceBuilder()
                .withNewMetadata().withName(name(model)).withNamespace(settings.namespace()).withLabels(labels(model))
                .endMetadata()
                .withNewSpec().withSelector(selector(model))
                .withPorts(List.of(
                        new ServicePortBuilder().withName("grpc").withPort(GRPC_PORT).withTargetPort(new IntOrString(GRPC_PORT)).build(),
                        new ServicePortBuilder().withName("http").withPort(REST_PORT).withTargetPort(new IntOrString(REST_PORT)).build()))
                .endSpec().build();
    }

    private static Probe probe(String path, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString(REST_PORT)).endHttpGet()
                .withPeriodSeconds(periodSeconds).withFailureThreshold(failureThreshold).build();
    }

    static Map<String, String> labels(String model) {
        Map<String, String> labels = Names.labels("tensorflow-serving", model, "serving");
        labels.put(Names.MODEL, model);
        return labels;
    }

    private static Map<String, String> selector(String model) {
        return Map.of(Names.NAME, "tensorflow-serving", Names.INSTANCE, model);
    }
}
