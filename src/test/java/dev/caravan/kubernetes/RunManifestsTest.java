package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.caravan.kubernetes.testutil.TrainerPods;

/**
 * {@code caravan manifests --env <env>} shows the values the environment really has: its {@code config/} files with
 * the variables that {@code k8s/overlays/<env>} gives Caravan's container.
 */
class RunManifestsTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "staging", "prod"})
    void theObjectsAreInTheNamespaceTheOverlayGivesCaravan(String env) {
        Map<String, String> overlay = OverlayEnvironment.of(Path.of("k8s"), env);

        List<HasMetadata> objects = PodHardeningTest.runObjects(env);

        assertThat(overlay).containsKey("CARAVAN_K8S_NAMESPACE");
        assertThat(objects).extracting(o -> o.getMetadata().getNamespace()).containsOnly(overlay.get("CARAVAN_K8S_NAMESPACE"));
    }

    @Test
    void prodServingLoadsTheModelFromTheS3EndpointOfTheProdOverlay() {
        RunManifests manifests = RunManifests.forEnvironment("prod", List.of());

        assertThat(manifests.source()).isEqualTo("config/application.yaml, config/application-prod.yaml and the"
                + " caravan-env variables of k8s/overlays/prod");
        assertThat(loader(PodHardeningTest.runObjects("prod")).getArgs())
                .containsSequence("--endpoint-url", "https://s3.us-east-1.amazonaws.com");
    }

    @Test
    void aSettingGivenOnTheCommandLineWinsOverTheOverlay() {
        String yaml = RunManifests.forEnvironment("prod", List.of("caravan.kubernetes.namespace=caravan-canary"))
                .render(null, Map.of());

        assertThat(yaml).contains("namespace: \"caravan-canary\"").doesNotContain("namespace: \"caravan\"");
    }

    @Test
    void theKubeflowExamplesParametersShapeTheTfJobAsArgoSubmitDid() {
        String yaml = RunManifests.forEnvironment("dev", List.of())
                .render(null, Map.of("tf-worker", "3", "model-train-steps", "200"));

        GenericKubernetesResource job = tfJob(yaml);
        Map<String, Object> replicas = replicaSpecs(job);
        assertThat(replicas.keySet()).containsExactly("Chief", "Worker", "PS");
        assertThat(replicas.values()).extracting(r -> (Object) ((Map<?, ?>) r).get("replicas")).containsExactly(1, 3, 1);
        assertThat(TrainerPods.container(job).getEnv()).contains(new EnvVar("TF_TRAIN_STEPS", "200", null),
                new EnvVar("TF_WORKERS", "3", null));
        assertThatThrownBy(() -> RunManifests.forEnvironment("dev", List.of()).render(null, Map.of("job-name", "x")))
                .hasMessageContaining("parameter job-name of the Kubeflow example is a setting in Caravan");
    }

    @Test
    void prodTrainsOnOneGpuInTheGpuImageAndRefusesTheCpuImageOnGpus() {
        GenericKubernetesResource job = tfJob(RunManifests.forEnvironment("prod", List.of()).render(null, Map.of()));

        assertThat(replicaSpecs(job)).containsOnlyKeys("Chief");
        Container chief = TrainerPods.container(job);
        assertThat(chief.getImage()).isEqualTo("ghcr.io/caravan-dev/caravan:0.1.0-gpu");
        assertThat(chief.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThatThrownBy(() -> RunManifests.forEnvironment("prod", List.of(
                "caravan.kubernetes.training.gpu-image=ghcr.io/caravan-dev/caravan:0.1.0")).render(null, Map.of()))
                .hasMessageContaining("gpu=1 asks for GPUs, but the built-in trainer would run in the CPU image"
                        + " ghcr.io/caravan-dev/caravan:0.1.0")
                .hasMessageContaining("e.g. ghcr.io/caravan-dev/caravan:0.1.0-gpu");
    }

    @Test
    void theOverlaysLiteralsMergeOverTheBasesAsKustomizeMergesThem(@TempDir Path k8s) throws Exception {
        Files.createDirectories(k8s.resolve("base"));
        Files.createDirectories(k8s.resolve("overlays/qa"));
        Files.writeString(k8s.resolve("base/kustomization.yaml"), """
                configMapGenerator:
                  - name: caravan-env
                    literals: [CARAVAN_K8S_NAMESPACE=caravan, CARAVAN_S3_ENDPOINT=http://minio:9000]
                  - name: other
                    literals: [IGNORED=1]
                """);
        Files.writeString(k8s.resolve("overlays/qa/kustomization.yaml"), """
                resources: [../../base]
                configMapGenerator:
                  - name: caravan-env
                    behavior: merge
                    literals: [CARAVAN_K8S_NAMESPACE=caravan-qa, CARAVAN_TRAINER_IMAGE=registry.example.com/caravan:0.1.1]
                """);

        assertThat(OverlayEnvironment.of(k8s, "qa")).containsExactly(
                Map.entry("CARAVAN_K8S_NAMESPACE", "caravan-qa"), Map.entry("CARAVAN_S3_ENDPOINT", "http://minio:9000"),
                Map.entry("CARAVAN_TRAINER_IMAGE", "registry.example.com/caravan:0.1.1"));
        assertThat(OverlayEnvironment.of(k8s, "none")).isEmpty();
    }

    private static GenericKubernetesResource tfJob(String yaml) {
        return Serialization.unmarshal(yaml.substring(0, yaml.indexOf("---", 3)), GenericKubernetesResource.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> replicaSpecs(GenericKubernetesResource job) {
        return (Map<String, Object>) ((Map<String, Object>) job.getAdditionalProperties().get("spec")).get("tfReplicaSpecs");
    }

    private static Container loader(List<HasMetadata> objects) {
        return objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .filter(d -> d.getMetadata().getName().startsWith("tf-serving-")).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getInitContainers().get(0);
    }
}
