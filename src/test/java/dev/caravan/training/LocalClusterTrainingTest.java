package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.RunProcesses;
import dev.caravan.testutil.TestS3;

/**
 * A run with {@code workers} and {@code ps} trains as a TF_CONFIG cluster on the local runtime: a bash trainer plays
 * each replica's role from its {@code TF_CONFIG} (cluster-trainer.sh), so the launcher is checked without TensorFlow.
 */
class LocalClusterTrainingTest {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/csv/");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tempDir;

    private static TestS3 s3;
    private static Path script;
    private static Path savedModel;

    private final List<TrainingProgress> progress = new CopyOnWriteArrayList<>();
    private final ExecutorService steps = Executors.newCachedThreadPool();

    @BeforeAll
    static void startS3() throws Exception {
        Assumptions.assumeTrue(RunProcesses.commandRuns("curl", "--version") && RunProcesses.commandRuns("sha256sum", "--version"),
                "the test trainer needs curl and sha256sum");
        Assumptions.assumeTrue(RunProcesses.canList(), "checking that no replica is left needs /proc");
        s3 = TestS3.start(tempDir, "tfmnist");
        script = Path.of(LocalClusterTrainingTest.class.getResource("cluster-trainer.sh").toURI());
        // Resources are copied without their file modes.
        assertThat(script.toFile().setExecutable(true)).isTrue();
        savedModel = Files.writeString(tempDir.resolve("saved_model.pb"), "a SavedModel, as far as Caravan checks");
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    @AfterEach
    void stopSteps() {
        steps.shutdownNow();
    }

    @Test
    void everyReplicaGetsTheOperatorsTfConfigForOneClusterOnDistinctFreeLoopbackPorts() throws Exception {
        TrainingRequest request = request("cluster-ok", "train", Map.of("workers", "2", "ps", "1"));

        TrainingResult result = backend(Duration.ofSeconds(30)).train(request, progress::add);

        assertThat(progress).as("the chief's progress").extracting(TrainingProgress::step).containsExactly(1, 2);
        assertThat(result.last().accuracy()).isEqualTo(0.91);
        assertThat(s3.store().exists(request.exportDir().resolve("saved_model.pb"))).isTrue();
        Map<String, JsonNode> configs = new HashMap<>();
        for (String replica : List.of("chief", "worker-0", "worker-1", "ps-0")) {
            configs.put(replica, JSON.readTree(runDir("cluster-ok").resolve("tf_config-" + replica + ".json").toFile()));
        }
        JsonNode cluster = configs.get("chief").get("cluster");
        assertThat(cluster.get("chief")).hasSize(1);
        assertThat(cluster.get("worker")).hasSize(2);
        assertThat(cluster.get("ps")).hasSize(1);
        Set<String> addresses = new HashSet<>();
        cluster.forEach(tasks -> tasks.forEach(address -> addresses.add(address.asText())));
        assertThat(addresses).hasSize(4).allMatch(address -> address.matches("127\\.0\\.0\\.1:\\d+"));
        configs.forEach((replica, config) -> {
            assertThat(config.get("cluster")).as(replica).isEqualTo(cluster);
            assertThat(config.get("environment").asText()).isEqualTo("cloud");
            String task = config.at("/task/type").asText() + (replica.equals("chief") ? "" : "-" + config.at("/task/index").asInt());
            assertThat(task).isEqualTo(replica);
        });
        assertNothingLeft("cluster-ok");
    }

    @Test
    void eachReplicaHasItsOwnLogAndTheChiefsIsTheRunsLog() throws Exception {
        TrainingRequest request = request("cluster-logs", "train", Map.of("workers", "2"));
        LocalTrainingBackend backend = backend(Duration.ofSeconds(30));
        backend.train(request, progress::add);

        assertThat(copyLog(backend, "cluster-logs", null)).contains("trainer: chief started")
                .contains("trainer: chief exported to").doesNotContain("trainer: worker-");
        assertThat(copyLog(backend, "cluster-logs", "chief")).isEqualTo(copyLog(backend, "cluster-logs", null));
        assertThat(copyLog(backend, "cluster-logs", "worker-1"))
                .contains("starting replica worker-1 of run cluster-logs (command [" + script + "])")
                .contains("TF_CONFIG {\"cluster\":{\"chief\":[\"127.0.0.1:")
                .contains("trainer: worker-1 computed its gradients").doesNotContain("trainer: chief");
        assertThat(copyLog(backend, "cluster-logs", "ps-0")).contains("trainer: ps-0 served until the chief finished");
        assertThatThrownBy(() -> copyLog(backend, "cluster-logs", "worker-7")).isInstanceOf(TrainingException.class)
                .hasMessage("run cluster-logs has no log of replica 'worker-7'; its replicas with logs are"
                        + " [chief, worker-0, worker-1, ps-0]");
    }

    @Test
    void aWorkerThatFailsFailsTheRunNamingItWithItsLastLinesAndKillsEveryOtherReplica() throws Exception {
        TrainingRequest request = request("cluster-fail", "failworker", Map.of("workers", "2", "ps", "1"));

        Throwable thrown = catchThrowable(() -> backend(Duration.ofSeconds(30)).train(request, progress::add));

        assertThat(thrown).isInstanceOf(TrainingException.class)
                .hasMessageContaining("replica worker-1 of run cluster-fail failed with exit code 1")
                .hasMessageContaining("Caravan killed the run's other replicas and processes (pids [")
                .hasMessageContaining("last lines of " + runDir("cluster-fail").resolve("worker-1.log"))
                .hasMessageContaining("trainer: worker-1 lost its shard");
        assertNothingLeft("cluster-fail");
        for (String replica : List.of("trainer", "worker-0", "ps-0")) {
            RunProcesses.assertGone(RunProcesses.pid(Files.readString(runDir("cluster-fail").resolve(replica + ".log")), "waiting on pid (\\d+)"));
        }
        assertThat(log("cluster-fail")).contains("replica worker-1 of run cluster-fail ended with exit code 1: killed"
                + " the other replicas");
    }

    @Test
    void aStopKillsEveryReplica() throws Exception {
        TrainingRequest request = request("cluster-stop", "hang", Map.of("workers", "1", "ps", "1"));
        LocalTrainingBackend backend = backend(Duration.ofSeconds(30));
        Future<TrainingResult> training = steps.submit(() -> backend.train(request, progress::add));
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("trainer", "worker-0", "ps-0").stream()
                .allMatch(replica -> Files.exists(runDir("cluster-stop").resolve(replica + ".log"))
                        && read(runDir("cluster-stop").resolve(replica + ".log")).contains("waiting on pid")));

        assertThat(backend.cancel("cluster-stop")).isTrue();

        assertThatThrownBy(() -> training.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TrainingException.class)
                .hasMessageContaining("of run cluster-stop was killed by signal 9 (SIGKILL) because the run was asked"
                        + " to stop");
        assertNothingLeft("cluster-stop");
        assertThat(read(runDir("cluster-stop").resolve("worker-0.log")))
                .contains("stopping the trainer of run cluster-stop (replica worker-0, pid");
        assertThat(backend.cancel("cluster-stop")).as("nothing left to stop").isFalse();
    }

    @Test
    void aClusterPastItsTimeoutIsKilledWhole() throws Exception {
        TrainingRequest request = request("cluster-late", "hang", Map.of("workers", "1"), Duration.ofSeconds(2));

        assertThatThrownBy(() -> backend(Duration.ofSeconds(30)).train(request, progress::add))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("the cluster [chief, worker-0, ps-0] of run cluster-late timed out after 2 s")
                .hasMessageContaining("every replica and everything they started were killed");
        assertNothingLeft("cluster-late");
    }

    @Test
    void replicasStillRunningAGraceAfterTheChiefFinishedAreKilledAndTheLogSaysSo() throws Exception {
        TrainingRequest request = request("cluster-grace", "stubbornps", Map.of("workers", "1", "ps", "1"));

        TrainingResult result = backend(Duration.ofSeconds(1)).train(request, progress::add);

        assertThat(result.last().step()).isEqualTo(2);
        assertThat(log("cluster-grace")).containsPattern("the chief of run cluster-grace finished; \\[ps-0\\] still ran 1 s"
                + " later: killed them and what was left of the run \\(pids \\[\\d+");
        assertNothingLeft("cluster-grace");
    }

    @Test
    void aRestartedCaravanAdoptsTheClusterWhoseChiefStillRuns() throws Exception {
        Path go = tempDir.resolve("go-cluster-adopted");
        TrainingRequest request = request("cluster-adopted", "train", Map.of("workers", "1", "goFile", go.toString()));
        AtomicReference<Throwable> firstAttempt = new AtomicReference<>();
        Thread before = new Thread(() -> firstAttempt.set(catchThrowable(
                () -> backend(Duration.ofSeconds(30)).train(request, p -> { }))));
        before.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> log("cluster-adopted").contains("CARAVAN_PROGRESS"));
        // Caravan "restarts": the thread that started the cluster stops following it, which keeps running.
        before.interrupt();
        before.join();
        assertThat(firstAttempt.get()).isInstanceOf(TrainingException.class).hasMessageContaining("interrupted");

        Future<TrainingResult> restarted = steps.submit(() -> backend(Duration.ofSeconds(30)).train(request, progress::add));
        await().atMost(Duration.ofSeconds(30)).until(() -> !progress.isEmpty());
        Files.createFile(go);

        assertThat(restarted.get(60, TimeUnit.SECONDS).last().step()).isEqualTo(2);
        assertThat(log("cluster-adopted")).containsOnlyOnce("starting replica chief of run cluster-adopted");
        assertNothingLeft("cluster-adopted");
    }

    @Test
    void aClusterWhoseChiefIsGoneAfterARestartIsKilledAndStartedAgain() throws Exception {
        TrainingRequest request = request("cluster-orphans", "hang", Map.of("workers", "1", "ps", "1"));
        Thread before = new Thread(() -> catchThrowable(() -> backend(Duration.ofSeconds(30)).train(request, p -> { })));
        before.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(runDir("cluster-orphans").resolve("trainer.pid"))
                && log("cluster-orphans").contains("waiting on pid"));
        before.interrupt();
        before.join();
        long chief = RunProcesses.pid(read(runDir("cluster-orphans").resolve("trainer.pid")), "pid=(\\d+)");
        long worker = RunProcesses.pid(read(runDir("cluster-orphans").resolve("worker-0.pid")), "pid=(\\d+)");
        // The chief dies while no Caravan follows the cluster: its worker and ps run on.
        ProcessHandle chiefProcess = ProcessHandle.of(chief).orElseThrow();
        chiefProcess.destroyForcibly();
        chiefProcess.onExit().get(10, TimeUnit.SECONDS);

        TrainingRequest again = request("cluster-orphans", "train", Map.of("workers", "1", "ps", "1"));
        backend(Duration.ofSeconds(30)).train(again, progress::add);

        RunProcesses.assertGone(worker);
        assertThat(log("cluster-orphans")).contains("the chief of run cluster-orphans is gone, its cluster with it: killed")
                .containsPattern("(?s)starting replica chief of run cluster-orphans.*starting replica chief");
        assertNothingLeft("cluster-orphans");
    }

    @Test
    void noWorkersAndNoPsIsTheSingleTrainerWithoutTfConfig() throws Exception {
        TrainingRequest request = request("cluster-none", "train", Map.of("workers", "0"));

        backend(Duration.ofSeconds(30)).train(request, progress::add);

        assertThat(log("cluster-none")).contains("starting the trainer of run cluster-none")
                .contains("trainer: no TF_CONFIG, a single process").doesNotContain("replica");
        assertThat(runDir("cluster-none").resolve("worker-0.log")).doesNotExist();
        assertThat(runDir("cluster-none").resolve("ps-0.log")).doesNotExist();
    }

    @Test
    void aWorkerCountThatIsNoWholeNumberInRangeIsRefusedSayingWhatToGive() {
        TrainingRequest request = request("cluster-bad", "train", Map.of("workers", "33"));

        assertThatThrownBy(() -> backend(Duration.ofSeconds(30)).train(request, progress::add))
                .isInstanceOf(TrainingException.class)
                .hasMessage("run cluster-bad: parameter workers=33 is out of range; give a whole number from 0 to 32");
    }

    private static LocalTrainingBackend backend(Duration replicaGrace) {
        return new LocalTrainingBackend(tempDir.resolve("runs"), s3.server().settings(), new TrainerLaunches(
                LocalTrainingBackend.currentJava(), System.getProperty("java.class.path"), List.of(), Map.of(),
                s3.server().settings()), replicaGrace);
    }

    private static TrainingRequest request(String run, String mode, Map<String, String> more) {
        return request(run, mode, more, Duration.ofMinutes(1));
    }

    private static TrainingRequest request(String run, String mode, Map<String, String> more, Duration timeout) {
        Map<String, String> parameters = new HashMap<>(Map.of("mode", mode, "modelFrom", savedModel.toString()));
        parameters.putAll(more);
        return new TrainingRequest(run, DATA, S3Location.parse("s3://tfmnist/runs/" + run + "/"),
                S3Location.parse("s3://tfmnist/models/" + run + "/1/"),
                new PipelineDefinition.Trainer(null, List.of(script.toString()), null, parameters, timeout), parameters);
    }

    private static String copyLog(LocalTrainingBackend backend, String run, String replica) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        backend.copyLog(run, replica, out, () -> false);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** No process of the run runs any more, and no pid file says one would. */
    private static void assertNothingLeft(String run) throws Exception {
        assertThat(RunProcesses.alive(runDir(run)).stream().filter(RunProcesses::running).toList())
                .as("processes of run %s", run).isEmpty();
        try (var files = Files.list(runDir(run))) {
            assertThat(files.map(file -> file.getFileName().toString()).toList()).as("pid files of run %s", run)
                    .noneMatch(name -> name.endsWith(".pid"));
        }
    }

    private static Path runDir(String run) {
        return tempDir.resolve("runs").resolve(run);
    }

    private static String log(String run) {
        return read(runDir(run).resolve("trainer.log"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
