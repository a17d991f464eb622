package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;

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

    private static Container loader(List<HasMetadata> objects) {
        return objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .filter(d -> d.getMetadata().getName().startsWith("tf-serving-")).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getInitContainers().get(0);
    }
}
