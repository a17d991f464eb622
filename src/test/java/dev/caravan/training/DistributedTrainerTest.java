package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.data.MnistData;
import dev.caravan.data.MnistSplit;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.MnistUploads;
import dev.caravan.testutil.RunProcesses;
import dev.caravan.testutil.TestS3;

/**
 * Parameter-server training for real on the local runtime: a run with {@code workers=2, ps=1} starts chief + 2
 * workers + 1 ps (or 2 ps, the weights spread over them), each the built-in trainer in its own JVM with the TF_CONFIG the training operator injects, on 2000
 * training digits in an embedded S3.
 */
class DistributedTrainerTest {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/small/");
    private static final List<String> GRADIENT_TASKS = List.of("chief", "worker-0", "worker-1");
    private static final int STEPS = 150;
    private static final int BATCH = 50;

    @TempDir
    static Path dir;
    private static TestS3 s3;
    private static LocalTrainingBackend backend;
    private final ExecutorService training = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void data() {
        s3 = TestS3.start(dir.resolve("s3"), "tfmnist");
        MnistTrainerTest.upload(s3.store(), DATA, MnistData.loadLocal(MnistUploads.DATA, MnistSplit.TRAIN).first(2000));
        MnistTrainerTest.upload(s3.store(), DATA, MnistData.loadLocal(MnistUploads.DATA, MnistSplit.TEST).first(500));
        backend = new LocalTrainingBackend(dir.resolve("runs"), s3.server().settings(),
                LocalTrainingBackend.currentJava(), System.getProperty("java.class.path"), List.of(),
                Map.of("TF_CPP_MIN_LOG_LEVEL", "2"));
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void synchronousTrainingAveragesOneGradientPerTaskAndExportsOnce() throws Exception {
        backend.train(request("sync", STEPS, BATCH, Map.of("workers", "2", "ps", "1")), progress -> { });

        assertThat(globalStep("sync")).isEqualTo(STEPS);
        for (String replica : GRADIENT_TASKS) {
            assertThat(stepsRan("sync", replica)).as(replica).isEqualTo(STEPS);
        }
        assertSameWeights("sync");
        assertOneExportAndEventsPerTask("sync", STEPS);
        assertThat(RunProcesses.alive(runDir("sync"))).as("replicas left running").isEmpty();
        // Each step averaged 3 batches: the same examples as one process with batches 3 times as large.
        backend.train(request("sync-single", STEPS, 3 * BATCH, Map.of()), progress -> { });
        assertThat(testAccuracy("sync")).isCloseTo(testAccuracy("sync-single"), within(0.02));
    }

    @Test
    void asynchronousTrainingCountsEveryTasksStepsInTheGlobalStep() throws Exception {
        backend.train(request("async", STEPS, BATCH, Map.of("workers", "2", "ps", "2", "syncReplicas", "0")),
                progress -> { });

        long global = globalStep("async");
        assertThat(global).isEqualTo(GRADIENT_TASKS.stream().mapToLong(replica -> stepsRan("async", replica)).sum())
                .isBetween((long) STEPS, STEPS + 2L);
        assertSameWeights("async");
        assertOneExportAndEventsPerTask("async", global);
        for (String ps : List.of("ps-0", "ps-1")) {
            assertThat(log("async", ps)).as(ps).contains(ps + ": the chief is done with the shared variables; exiting");
        }
        assertThat(log("async", "chief")).as("no replica outlived the chief's grace").doesNotContain("killed them");
        // Stale gradients (computed on weights others have moved since) cost asynchronous training some accuracy
        // this early on: measured 0.852 against 0.886 for one process on the same examples.
        backend.train(request("async-single", (int) global, BATCH, Map.of()), progress -> { });
        assertThat(testAccuracy("async")).isCloseTo(testAccuracy("async-single"), within(0.05));
    }

    /** A killed ps takes the chief and the workers down with it at once: the run still names the ps. */
    @ParameterizedTest
    @ValueSource(strings = {"worker-1", "ps-0"})
    void aReplicaKilledMidTrainingFailsTheRunNamingItAndNothingIsLeft(String victim) throws Exception {
        String name = "killed-" + victim;
        Future<TrainingResult> run = training.submit(() -> backend.train(
                request(name, 100_000, BATCH, Map.of("workers", "2")), progress -> { }));
        await().atMost(Duration.ofMinutes(2)).until(() -> log(name, "worker-1").contains("CARAVAN_PROGRESS"));

        ProcessHandle.of(pid(name, victim)).orElseThrow().destroyForcibly();

        Throwable failure = catchThrowable(run::get);
        assertThat(failure).hasRootCauseInstanceOf(TrainingException.class).rootCause()
                .hasMessageContaining("replica " + victim + " of run " + name).hasMessageContaining("signal 9");
        assertThat(RunProcesses.alive(runDir(name))).as("replicas left running").isEmpty();
        assertThat(s3.store().exists(S3Location.parse("s3://tfmnist/models/" + name + "/1/saved_model.pb"))).isFalse();
    }

    @Test
    void stoppingARunEndsEveryReplica() throws Exception {
        Future<TrainingResult> run = training.submit(() -> backend.train(
                request("stopped", 100_000, BATCH, Map.of("workers", "1", "ps", "2")), progress -> { }));
        await().atMost(Duration.ofMinutes(2)).until(() -> log("stopped", "chief").contains("CARAVAN_PROGRESS"));

        assertThat(backend.cancel("stopped")).isTrue();

        assertThat(catchThrowable(run::get)).hasRootCauseInstanceOf(TrainingException.class);
        assertThat(RunProcesses.alive(runDir("stopped"))).as("replicas left running").isEmpty();
    }

    private static TrainingRequest request(String run, int steps, int batch, Map<String, String> cluster) {
        Map<String, String> parameters = new HashMap<>(cluster);
        parameters.put("trainSteps", Integer.toString(steps));
        parameters.put("batchSize", Integer.toString(batch));
        return new TrainingRequest(run, DATA, S3Location.parse("s3://tfmnist/training/" + run + "/"),
                S3Location.parse("s3://tfmnist/models/" + run + "/1/"),
                new PipelineDefinition.Trainer("mnist-mlp", List.of(), null, parameters, Duration.ofMinutes(5)),
                parameters);
    }

    private static long globalStep(String run) {
        return Long.parseLong(find(run, "chief", "chief global step (\\d+)"));
    }

    private static long stepsRan(String run, String replica) {
        return Long.parseLong(find(run, replica, replica + " ran (\\d+) steps"));
    }

    private static void assertSameWeights(String run) {
        List<String> checksums = new ArrayList<>();
        for (String replica : GRADIENT_TASKS) {
            checksums.add(find(run, replica, replica + " global step \\d+, weights checksum (\\w+)"));
        }
        assertThat(checksums).as("weights checksums").containsOnly(checksums.get(0));
    }

    private static void assertOneExportAndEventsPerTask(String run, long globalStep) throws IOException {
        List<String> model = keysBelow(S3Location.parse("s3://tfmnist/training/" + run + "/"));
        assertThat(model).contains("checkpoint", "metrics.json", "model.ckpt-" + globalStep + ".index");
        for (String replica : GRADIENT_TASKS) {
            assertThat(model.stream().filter(key -> key.startsWith(replica + "/events.out.tfevents."))).as(replica)
                    .hasSize(1);
        }
        assertThat(model).noneMatch(key -> key.startsWith("events.out") || key.startsWith("ps-"));
        List<String> models = keysBelow(S3Location.parse("s3://tfmnist/models/" + run + "/"));
        assertThat(models).filteredOn(key -> key.endsWith("saved_model.pb")).containsExactly("1/saved_model.pb");
        assertThat(testAccuracy(run)).isGreaterThan(0.8);
    }

    /** The test accuracy the chief (or the single process) of {@code run} left in its metrics.json. */
    private static double testAccuracy(String run) throws IOException {
        return new ObjectMapper().readTree(s3.store().read(
                S3Location.parse("s3://tfmnist/training/" + run + "/metrics.json"))).path("metrics").get(0)
                .path("numberValue").asDouble();
    }

    private static String find(String run, String replica, String regex) {
        String log = log(run, replica);
        Matcher matcher = Pattern.compile(regex).matcher(log);
        assertThat(matcher.find()).as("'%s' in the log of %s:%n%s", regex, replica, log).isTrue();
        return matcher.group(1);
    }

    private static long pid(String run, String replica) throws IOException {
        Matcher matcher = Pattern.compile("pid=(\\d+)").matcher(Files.readString(runDir(run).resolve(replica + ".pid")));
        assertThat(matcher.find()).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    private static String log(String run, String replica) {
        Path file = runDir(run).resolve(replica.equals("chief") ? "trainer.log" : replica + ".log");
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path runDir(String run) {
        return dir.resolve("runs").resolve(run);
    }

    private static List<String> keysBelow(S3Location prefix) {
        return s3.store().list(prefix).stream().map(o -> o.key().substring(prefix.key().length())).toList();
    }
}
