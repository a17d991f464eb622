package dev.caravan.kubernetes;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;

/**
 * TensorFlow Serving for one model. TensorFlow Serving from 2.7 on cannot read s3://, so an init container copies the
 * promoted version's folder from S3 to a volume and the server's base path holds that version only: what is served
 * is exactly the promoted version, and changing it rolls the Deployment (old pods answer until new ones are ready).
 */
public final class ServingManifests {

    static final int GRPC_PORT = 8500;
    static final int REST_PORT = 8501;
    private static final String MODELS = "/models";

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
                .withNewSpec()
                .addNewInitContainer().withName("load-model").withImage(settings.serving().loaderImage())
                .withCommand("aws").withArgs("s3", "cp", "--recursive", "--endpoint-url", podS3.endpoint().toString(),
                        export.asPrefix().uri(), basePath + "/" + version + "/")
                .withEnv(PodEnvironment.s3(s3, settings.s3()))
                .addNewVolumeMount().withName("models").withMountPath(MODELS).endVolumeMount()
                .endInitContainer()
                .addNewContainer().withName("tensorflow-serving").withImage(settings.serving().image())
                .withArgs("--model_name=" + model, "--model_base_path=" + basePath,
                        "--port=" + GRPC_PORT, "--rest_api_port=" + REST_PORT)
                .addNewPort().withName("grpc").withContainerPort(GRPC_PORT).endPort()
                .addNewPort().withName("http").withContainerPort(REST_PORT).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPath("/v1/models/" + model)
                .withPort(new IntOrString(REST_PORT)).endHttpGet()
                .withInitialDelaySeconds(2).withPeriodSeconds(2).endReadinessProbe()
                .addNewVolumeMount().withName("models").withMountPath(MODELS).withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("models").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().endTemplate()
                .endSpec().build();
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

    static Map<String, String> labels(String model) {
        Map<String, String> labels = Names.labels("tensorflow-serving", model, "serving");
        labels.put(Names.MODEL, model);
        return labels;
    }

    private static Map<String, String> selector(String model) {
        return Map.of(Names.NAME, "tensorflow-serving", Names.INSTANCE, model);
    }
}
