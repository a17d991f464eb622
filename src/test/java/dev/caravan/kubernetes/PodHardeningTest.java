package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;


/**
 * Every pod of every environment passes the checks a cluster admin makes: in the {@code k8s/} manifests (rendered with
 * {@code kubectl kustomize} where it is installed, else the base's and the overlay's own files) and in the objects a
 * run creates ({@code caravan manifests --env <env>}), each container runs as non-root without privilege escalation or
 * capabilities on a read-only root filesystem, with requests and limits, and each long-running one has probes.
 */
class PodHardeningTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "staging", "prod"})
    void theClusterManifestsPodsAreHardened(String env) throws Exception {
        List<HasMetadata> objects = clusterObjects(env);

        SoftAssertions checks = new SoftAssertions();
        objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .forEach(d -> check(checks, "Deployment " + d.getMetadata().getName(), d.getSpec().getTemplate(), true));
        objects.stream().filter(StatefulSet.class::isInstance).map(StatefulSet.class::cast)
                .forEach(s -> check(checks, "StatefulSet " + s.getMetadata().getName(), s.getSpec().getTemplate(), true));
        checks.assertAll();
        assertThat(objects).filteredOn(PodDisruptionBudget.class::isInstance).extracting(o -> o.getMetadata().getName())
                .contains("caravan");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "staging", "prod"})
    void thePodsARunCreatesAreHardened(String env) {
        List<HasMetadata> objects = runObjects(env);

        SoftAssertions checks = new SoftAssertions();
        objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .forEach(d -> checkRunPod(checks, "Deployment " + d.getMetadata().getName(), d.getSpec().getTemplate(), true));
        objects.stream().filter(GenericKubernetesResource.class::isInstance).map(GenericKubernetesResource.class::cast)
                .forEach(job -> trainerTemplates(job).forEach((type, template) ->
                        checkRunPod(checks, job.getKind() + " " + type, template, false)));
        checks.assertAll();
        assertThat(objects).filteredOn(GenericKubernetesResource.class::isInstance).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void tensorFlowServingIsReadyOnceItsVersionIsAvailableAndADisruptionBudgetCoversIt(String env) {
        List<HasMetadata> objects = runObjects(env);

        Deployment serving = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .filter(d -> d.getMetadata().getName().equals("tf-serving-mnist")).findFirst().orElseThrow();
        Container server = serving.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v1/models/mnist/versions/1/metadata");
        assertThat(server.getStartupProbe().getHttpGet().getPath()).isEqualTo("/v1/models/mnist/versions/1/metadata");
        assertThat(server.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v1/models/mnist");
        assertThat(server.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8501);
        PodDisruptionBudget budget = objects.stream().filter(PodDisruptionBudget.class::isInstance)
                .map(PodDisruptionBudget.class::cast).findFirst().orElseThrow();
        assertThat(budget.getMetadata().getName()).isEqualTo("tf-serving-mnist");
        assertThat(serving.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    /** A pod a run creates calls no Kubernetes API, so it gets no service account token either. */
    private static void checkRunPod(SoftAssertions checks, String what, PodTemplateSpec template, boolean longRunning) {
        check(checks, what, template, longRunning);
        checks.assertThat(template.getSpec().getAutomountServiceAccountToken()).as(what + ": automountServiceAccountToken")
                .isFalse();
    }

    static void check(SoftAssertions checks, String what, PodTemplateSpec template, boolean longRunning) {
        PodSpec pod = template.getSpec();
        boolean podNonRoot = pod.getSecurityContext() != null && Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot());
        List<Container> containers = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
            containers.addAll(pod.getInitContainers());
        }
        for (Container c : containers) {
            String where = what + ", container " + c.getName();
            SecurityContext security = c.getSecurityContext();
            checks.assertThat(security).as(where + ": securityContext").isNotNull();
            if (security == null) {
                continue;
            }
            checks.assertThat(podNonRoot || Boolean.TRUE.equals(security.getRunAsNonRoot())).as(where + ": runAsNonRoot").isTrue();
            checks.assertThat(security.getAllowPrivilegeEscalation()).as(where + ": allowPrivilegeEscalation").isFalse();
            checks.assertThat(security.getCapabilities() == null ? List.of() : security.getCapabilities().getDrop())
                    .as(where + ": capabilities.drop").contains("ALL");
            checks.assertThat(security.getReadOnlyRootFilesystem()).as(where + ": readOnlyRootFilesystem").isTrue();
            checks.assertThat(c.getResources()).as(where + ": resources").isNotNull();
            if (c.getResources() != null) {
                checks.assertThat(c.getResources().getRequests()).as(where + ": requests").containsKeys("cpu", "memory");
                checks.assertThat(c.getResources().getLimits()).as(where + ": limits").containsKeys("cpu", "memory");
            }
        }
        if (longRunning) {
            for (Container c : pod.getContainers()) {
                checks.assertThat(c.getReadinessProbe()).as(what + ", container " + c.getName() + ": readinessProbe").isNotNull();
                checks.assertThat(c.getLivenessProbe()).as(what + ", container " + c.getName() + ": livenessProbe").isNotNull();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, PodTemplateSpec> trainerTemplates(GenericKubernetesResource job) {
        Map<String, Object> spec = (Map<String, Object>) job.getAdditionalProperties().get("spec");
        Map<String, Map<String, Object>> replicas = (Map<String, Map<String, Object>>) spec.get(JobKind.TFJob.replicaSpecsKey());
        Map<String, PodTemplateSpec> templates = new java.util.LinkedHashMap<>();
        replicas.forEach((type, replica) -> templates.put(type,
                Serialization.jsonMapper().convertValue(replica.get("template"), PodTemplateSpec.class)));
        return templates;
    }

    /** What {@code caravan manifests --env <env>} prints. */
    static List<HasMetadata> runObjects(String env) {
        return parse(RunManifests.forEnvironment(env, List.of()).render(null, Map.of()));
    }

    private static List<HasMetadata> clusterObjects(String env) throws Exception {
        try {
            Process kubectl = new ProcessBuilder("kubectl", "kustomize", "k8s/overlays/" + env)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(kubectl.exitValue()).as("kubectl kustomize k8s/overlays/" + env).isZero();
            return parse(output);
        } catch (IOException noKubectl) {
            // Without kubectl: the base's resources and the overlay's own, without the overlay's patches.
            return Stream.of(Path.of("k8s", "base"), OverlayEnvironment.overlay(Path.of("k8s"), env))
                    .flatMap(PodHardeningTest::resources).flatMap(file -> parse(read(file)).stream()).toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static Stream<Path> resources(Path folder) {
        Map<String, Object> kustomization = Serialization.unmarshal(read(folder.resolve("kustomization.yaml")), Map.class);
        List<String> resources = (List<String>) kustomization.getOrDefault("resources", List.of());
        return resources.stream().map(folder::resolve).filter(Files::isRegularFile);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    private static List<HasMetadata> parse(String yaml) {
        return Arrays.stream(yaml.split("(?m)^---$")).filter(doc -> !doc.isBlank() && doc.contains("kind:"))
                .map(doc -> (HasMetadata) Serialization.unmarshal(doc)).toList();
    }

}
