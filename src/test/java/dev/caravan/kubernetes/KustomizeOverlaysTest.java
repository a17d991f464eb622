package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Each overlay renders with {@code kubectl kustomize} (as {@code kubectl apply -k} would), and the Caravan container
 * gets its environment's profile, its namespace and its S3 endpoint. Skipped where kubectl is not installed.
 */
class KustomizeOverlaysTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "staging", "prod"})
    void theOverlaysSettingsReachTheCaravanContainer(String env) throws Exception {
        List<HasMetadata> objects = render(Path.of("k8s", "overlays", env));

        Deployment caravan = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .filter(d -> d.getMetadata().getName().equals("caravan")).findFirst().orElseThrow();
        String namespace = caravan.getMetadata().getNamespace();
        Map<String, String> environment = containerEnvironment(caravan, objects);
        assertThat(environment).containsEntry("SPRING_PROFILES_INCLUDE", env)
                .containsEntry("CARAVAN_K8S_NAMESPACE", namespace)
                .containsKey("CARAVAN_S3_ENDPOINT");
        assertThat(Path.of("config", "application-" + env + ".yaml")).exists();
        assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isIn(namespace, null));
        assertThat(caravan.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/name", "caravan");
    }

    private static Map<String, String> containerEnvironment(Deployment caravan, List<HasMetadata> objects) {
        var container = caravan.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> environment = new java.util.HashMap<>();
        for (EnvFromSource from : container.getEnvFrom()) {
            String name = from.getConfigMapRef().getName();
            objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                    .filter(c -> c.getMetadata().getName().equals(name)).findFirst()
                    .ifPresent(c -> environment.putAll(c.getData()));
        }
        container.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> environment.put(e.getName(), e.getValue()));
        return environment;
    }

    private static List<HasMetadata> render(Path overlay) throws IOException, InterruptedException {
        Process kubectl = kubectl("kustomize", overlay.toString());
        String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).as("kubectl kustomize " + overlay + " failed; see its error above").isZero();
        return Arrays.stream(output.split("(?m)^---$")).filter(doc -> !doc.isBlank())
                .map(doc -> (HasMetadata) Serialization.unmarshal(doc)).toList();
    }

    private static Process kubectl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("kubectl"));
        command.addAll(List.of(args));
        try {
            return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            return Assumptions.abort("kubectl is not installed (" + e.getMessage() + "); skipping the overlay check");
        }
    }
}
