package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.kubernetes.testutil.TrainerPods;
import dev.caravan.kubernetes.testutil.TrainingOperator;

/**
 * The test operator runs every replica of a TFJob, with the TF_CONFIG the training operator injects, and ends the job
 * as it does. The replicas here run {@link Replica}, which records what it was given, so the operator's part is
 * checked apart from the trainer's.
 */
@EnableKubernetesMockClient(crud = true)
class TrainingOperatorTest {

    static KubernetesClient client;

    @TempDir
    Path dir;

    private TrainingOperator operator;

    @BeforeEach
    void setUp() {
        if (client.secrets().inNamespace(KubernetesFixtures.NAMESPACE).withName("caravan-s3").get() == null) {
            KubernetesFixtures.createS3Secret(client);
        }
        operator = new TrainingOperator(client, KubernetesFixtures.NAMESPACE)
                .succeeding(new TrainerPods(client, KubernetesFixtures.NAMESPACE, dir).runningReplicasAs(Replica.class));
    }

    @AfterEach
    void tearDown() {
        operator.close();
    }

    @Test
    void everyReplicaRunsWithTheClusterTheOperatorInjectsAndTheChiefEndsTheJob() throws IOException {
        create("mnist-cluster0001", Map.of("workers", "2", "ps", "1"));

        assertThat(lastCondition("mnist-cluster0001")).containsEntry("type", "Succeeded");
        List<String> replicas = List.of("chief", "worker-0", "worker-1", "ps-0");
        ObjectMapper json = new ObjectMapper();
        JsonNode cluster = json.readTree(dir.resolve("chief.json").toFile()).get("cluster");
        assertThat(cluster.get("chief")).hasSize(1);
        assertThat(cluster.get("worker")).hasSize(2);
        assertThat(cluster.get("ps")).hasSize(1);
        List<String> addresses = new java.util.ArrayList<>();
        cluster.forEach(type -> type.forEach(address -> addresses.add(address.asText())));
        assertThat(addresses).hasSize(4).doesNotHaveDuplicates().allMatch(a -> a.matches("127\\.0\\.0\\.1:\\d+"));
        for (String name : replicas) {
            JsonNode config = json.readTree(dir.resolve(name + ".json").toFile());
            assertThat(config.get("cluster")).isEqualTo(cluster);
            assertThat(config.get("environment").asText()).isEqualTo("cloud");
            String type = config.get("task").get("type").asText();
            int index = config.get("task").get("index").asInt();
            assertThat(type.equals("chief") ? "chief" : type + "-" + index).isEqualTo(name);
        }
        // The PS never exits by itself here: cleanPodPolicy Running deletes it once the Chief has ended the job.
        assertThat(pidOf("ps-0").flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void aFailedWorkerFailsTheJobNamingItAsTheOperatorDoes() {
        create("mnist-cluster0002", Map.of("workers", "2", "fakeFail", "worker-1"));

        Map<String, Object> failed = lastCondition("mnist-cluster0002");
        assertThat(failed).containsEntry("type", "Failed");
        assertThat((String) failed.get("message")).startsWith("TFJob caravan-test/mnist-cluster0002 has failed because"
                + " 1 Worker replica(s) failed. worker-1 exited with 3: ").contains("worker-1 cannot go on");
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("chief", "worker-0", "ps-0").stream()
                .map(this::pidOf).flatMap(Optional::stream).map(ProcessHandle::of).flatMap(Optional::stream)
                .noneMatch(ProcessHandle::isAlive));
    }

    private void create(String name, Map<String, String> parameters) {
        Map<String, String> withDir = new java.util.HashMap<>(parameters);
        withDir.put("fakeDir", dir.toString());
        GenericKubernetesResource job = new TrainingJobManifest(KubernetesFixtures.settings(), KubernetesFixtures.s3())
                .build(KubernetesFixtures.request(name, withDir));
        client.genericKubernetesResources(TrainingJobs.context(JobKind.TFJob)).inNamespace(KubernetesFixtures.NAMESPACE)
                .resource(job).create();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> lastCondition(String name) {
        var jobs = client.genericKubernetesResources(TrainingJobs.context(JobKind.TFJob))
                .inNamespace(KubernetesFixtures.NAMESPACE);
        return await().atMost(Duration.ofSeconds(60)).until(() -> {
            GenericKubernetesResource job = jobs.withName(name).get();
            Map<String, Object> status = (Map<String, Object>) job.getAdditionalProperties().get("status");
            List<Map<String, Object>> conditions = status == null ? List.of()
                    : (List<Map<String, Object>>) status.get("conditions");
            return conditions.isEmpty() ? null : conditions.get(conditions.size() - 1);
        }, c -> c != null && List.of("Succeeded", "Failed").contains(c.get("type")));
    }

    private Optional<Long> pidOf(String replica) {
        try {
            return Optional.of(Long.parseLong(Files.readString(dir.resolve(replica + ".pid")).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * A replica that records its TF_CONFIG and pid in {@code TF_FAKE_DIR}, then acts its part: a worker says it is
     * done and exits 0, the chief waits (bounded) until every worker is done and every PS is up and exits 0, a PS
     * waits to be killed, and the replica named by {@code TF_FAKE_FAIL} exits 3.
     */
    public static final class Replica {

        public static void main(String[] args) throws Exception {
            JsonNode config = new ObjectMapper().readTree(System.getenv("TF_CONFIG"));
            String type = config.get("task").get("type").asText();
            String name = type.equals("chief") ? "chief" : type + "-" + config.get("task").get("index").asInt();
            Path dir = Path.of(System.getenv("TF_FAKE_DIR"));
            Files.writeString(dir.resolve(name + ".pid"), Long.toString(ProcessHandle.current().pid()));
            Files.writeString(dir.resolve(name + ".json"), System.getenv("TF_CONFIG"));
            if (name.equals(System.getenv("TF_FAKE_FAIL"))) {
                System.out.println(name + " cannot go on");
                System.exit(3);
            }
            if (type.equals("ps")) {
                Thread.sleep(Long.MAX_VALUE);
            }
            if (type.equals("worker")) {
                Files.writeString(dir.resolve(name + ".done"), "");
            }
            if (type.equals("chief")) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                List<Path> awaited = new java.util.ArrayList<>();
                for (int i = 0; i < config.get("cluster").path("worker").size(); i++) {
                    awaited.add(dir.resolve("worker-" + i + ".done"));
                }
                // As a real chief needs its parameter servers, this one ends the job only once they are up.
                for (int i = 0; i < config.get("cluster").path("ps").size(); i++) {
                    awaited.add(dir.resolve("ps-" + i + ".json"));
                }
                for (Path file : awaited) {
                    while (!Files.exists(file) && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                }
            }
        }
    }
}
