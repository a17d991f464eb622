package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.serving.testutil.TestModels;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.RunProcesses;

/**
 * A pipeline's own trainer on the local runtime: a bash script that uploads with curl, as a user's might, run under
 * the same contract, log, timeout, stop and restart rules as the built-in trainers.
 */
class LocalCommandTrainerTest {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/csv/");

    @TempDir
    static Path tempDir;

    private static EmbeddedS3 s3;
    private static ObjectStore store;
    private static Path script;
    private static Path savedModel;

    private final List<TrainingProgress> progress = new CopyOnWriteArrayList<>();
    private final ExecutorService steps = Executors.newCachedThreadPool();

    @BeforeAll
    static void startS3AndExportAModel() throws Exception {
        Assumptions.assumeTrue(RunProcesses.commandRuns("curl", "--version") && RunProcesses.commandRuns("sha256sum", "--version"),
                "the test trainer needs curl and sha256sum");
        s3 = EmbeddedS3.start(tempDir.resolve("s3"), "127.0.0.1", 0, "key", "secret");
        store = ObjectStore.connect(s3.settings());
        store.createBucketIfMissing("tfmnist");
        script = Path.of(LocalCommandTrainerTest.class.getResource("command-trainer.sh").toURI());
        // Resources are copied without their file modes.
        assertThat(script.toFile().setExecutable(true)).isTrue();
        savedModel = TestModels.exportMnist(tempDir.resolve("saved-model"));
    }

    @AfterAll
    static void stopS3() {
        if (store != null) {
            store.close();
            s3.close();
        }
    }

    @AfterEach
    void stopSteps() {
        steps.shutdownNow();
    }

    @Test
    void aCommandTrainerUploadsItsExportAndMetricsUnderTheContract() throws Exception {
        TrainingRequest request = request("cmd-ok", "train", Duration.ofMinutes(1));

        TrainingResult result = backend().train(request, progress::add);

        assertThat(result.export()).isEqualTo(request.exportDir());
        assertThat(progress).extracting(TrainingProgress::step).containsExactly(1, 2);
        assertThat(result.last().accuracy()).isEqualTo(0.91);
        assertThat(keysBelow(request.exportDir())).contains("saved_model.pb", "variables/variables.index",
                "variables/variables.data-00000-of-00001");
        assertThat(new ObjectMapper().readTree(store.read(request.modelDir().resolve("metrics.json")))
                .at("/metrics/0/numberValue").asDouble()).isEqualTo(0.91);
        assertThat(runDir("cmd-ok").resolve("metrics.json")).as("it runs in the run folder").exists();
        assertThat(Files.readString(runDir("cmd-ok").resolve("trainer.log")))
                .contains("starting the trainer of run cmd-ok (command [" + script + "])")
                .contains("trainer: started in " + runDir("cmd-ok") + ", data s3://tfmnist/data/csv/")
                .contains("trainer: exported the SavedModel to s3://tfmnist/models/cmd-ok/1/");
        assertThat(runDir("cmd-ok").resolve("trainer.pid")).doesNotExist();
    }

    @Test
    void aNonZeroExitFailsTheTrainingWithTheCodeAndTheLogsTail() {
        TrainingRequest request = request("cmd-exit", "fail", Duration.ofMinutes(1));

        Throwable thrown = catchThrowable(() -> backend().train(request, progress::add));

        assertThat(thrown).isInstanceOf(TrainingException.class)
                .hasMessageContaining("the trainer of run cmd-exit failed with exit code 3")
                .hasMessageContaining("it left 1 process running, which Caravan killed")
                .hasMessageContaining("trainer: cannot read s3://tfmnist/data/csv/: no CSV files there");
        assertThat(progress).as("it printed no progress").isEmpty();
        RunProcesses.assertGone(RunProcesses.pid(thrown.getMessage(), "started helper pid (\\d+)"));
    }

    @Test
    void aTrainerKilledLikeByTheOomKillerFailsSayingSoAndLeavesNothingRunning() throws Exception {
        TrainingRequest request = request("cmd-killed", "killed", Duration.ofMinutes(1));

        Throwable thrown = catchThrowable(() -> backend().train(request, progress::add));

        assertThat(thrown).isInstanceOf(TrainingException.class)
                .hasMessageContaining("the trainer of run cmd-killed was killed by signal 9 (SIGKILL; out of memory?")
                .hasMessageContaining("exit code 137")
                .hasMessageContaining("trainer: loading all of s3://tfmnist/data/csv/ into memory");
        // The helper's parent died first, so it is init's child now: only the run's marker still finds it.
        RunProcesses.assertGone(RunProcesses.pid(thrown.getMessage(), "started helper pid (\\d+)"));
        assertThat(log("cmd-killed")).containsPattern("leaving 1 process\\(es\\) running: killed pids \\[\\d+\\]");
    }

    @Test
    void anExitWithoutASavedModelFailsNamingIt() {
        TrainingRequest request = request("cmd-noexport", "noexport", Duration.ofMinutes(1));

        assertThatThrownBy(() -> backend().train(request, progress::add))
                .hasMessageContaining("finished, but s3://tfmnist/models/cmd-noexport/1/saved_model.pb is missing")
                .hasMessageContaining("upload its SavedModel to $TF_EXPORT_DIR");
    }

    @Test
    void aTrainerThatHangsPastTheTimeoutIsKilledWithWhatItStarted() {
        TrainingRequest request = request("cmd-hang", "hang", Duration.ofSeconds(2));

        Throwable thrown = catchThrowable(() -> backend().train(request, progress::add));

        assertThat(thrown).isInstanceOf(TrainingException.class)
                .hasMessageContaining("the trainer of run cmd-hang timed out after 2 s")
                .hasMessageContaining("raise the training timeout (trainer.timeout)")
                .hasMessageNotContaining("training steps")
                .hasMessageContaining("waiting on pid");
        RunProcesses.assertGone(RunProcesses.pid(thrown.getMessage(), "\\(pid (\\d+)\\)"));
        RunProcesses.assertGone(RunProcesses.pid(thrown.getMessage(), "waiting on pid (\\d+)"));
        RunProcesses.assertGone(RunProcesses.pid(thrown.getMessage(), "helper \\d+ started pid (\\d+)"));
    }

    @Test
    void cancelKillsTheTrainerWithWhatItStarted() throws Exception {
        TrainingRequest request = request("cmd-stop", "hang", Duration.ofMinutes(1));
        Future<TrainingResult> training = steps.submit(() -> backend().train(request, progress::add));
        await().atMost(Duration.ofSeconds(30)).until(() -> log("cmd-stop").contains("waiting on pid"));
        long trainer = pidInPidFile("cmd-stop");

        assertThat(backend().cancel("cmd-stop")).isTrue();

        assertThatThrownBy(() -> training.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TrainingException.class)
                .hasMessageContaining("the trainer of run cmd-stop was killed by signal 9 (SIGKILL) because the run"
                        + " was asked to stop");
        RunProcesses.assertGone(trainer);
        RunProcesses.assertGone(RunProcesses.pid(log("cmd-stop"), "waiting on pid (\\d+)"));
        assertThat(log("cmd-stop")).contains("stopping the trainer of run cmd-stop (pid " + trainer + ")");
        assertThat(backend().cancel("cmd-stop")).as("nothing left to stop").isFalse();
    }

    @Test
    void aRestartedCaravanAdoptsItsRunningCommandTrainer() throws Exception {
        Path go = tempDir.resolve("go-cmd-adopted");
        TrainingRequest request = request("cmd-adopted", "train", Duration.ofMinutes(1), Map.of("goFile", go.toString()));
        AtomicReference<Throwable> firstAttempt = new AtomicReference<>();
        Thread before = new Thread(() -> firstAttempt.set(catchThrowable(() -> backend().train(request, p -> { }))));
        before.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(runDir("cmd-adopted").resolve("trainer.pid")));
        // Caravan "restarts": the thread that started the trainer stops following it, which keeps running.
        before.interrupt();
        before.join();
        assertThat(firstAttempt.get()).isInstanceOf(TrainingException.class).hasMessageContaining("interrupted");

        Future<TrainingResult> restarted = steps.submit(() -> backend().train(request, progress::add));
        // The first progress line is printed before the trainer waits: seen here, the new backend follows the trainer.
        await().atMost(Duration.ofSeconds(30)).until(() -> !progress.isEmpty());
        Files.createFile(go);
        TrainingResult result = restarted.get(60, TimeUnit.SECONDS);

        assertThat(result.last().step()).isEqualTo(2);
        assertThat(result.duration()).as("followed, not found already exported").isPositive();
        assertThat(store.exists(request.exportDir().resolve("saved_model.pb"))).isTrue();
        assertThat(log("cmd-adopted")).containsOnlyOnce("starting the trainer of run cmd-adopted");
    }

    @Test
    void aCommandThatCannotStartSaysWhatToCheck() {
        TrainingRequest request = new TrainingRequest("cmd-missing", DATA, S3Location.parse("s3://tfmnist/runs/x/"),
                S3Location.parse("s3://tfmnist/models/cmd-missing/1/"), new PipelineDefinition.Trainer(null,
                        List.of("./no-such-trainer"), null, Map.of(), Duration.ofMinutes(1)), Map.of());

        assertThatThrownBy(() -> backend().train(request, progress::add))
                .hasMessageContaining("cannot start the trainer (./no-such-trainer)")
                .hasMessageContaining("check trainer.command in the pipeline file")
                .hasMessageContaining("a relative path starts from the run folder " + runDir("cmd-missing"));
    }

    private static LocalTrainingBackend backend() {
        return new LocalTrainingBackend(tempDir.resolve("runs"), s3.settings(), LocalTrainingBackend.currentJava(),
                System.getProperty("java.class.path"), List.of(), Map.of());
    }

    private static TrainingRequest request(String run, String mode, Duration timeout) {
        return request(run, mode, timeout, Map.of());
    }

    private static TrainingRequest request(String run, String mode, Duration timeout, Map<String, String> more) {
        Map<String, String> parameters = new HashMap<>(Map.of("mode", mode, "modelFrom", savedModel.toString()));
        parameters.putAll(more);
        return new TrainingRequest(run, DATA, S3Location.parse("s3://tfmnist/runs/" + run + "/"),
                S3Location.parse("s3://tfmnist/models/" + run + "/1/"),
                new PipelineDefinition.Trainer(null, List.of(script.toString()), null, parameters, timeout), parameters);
    }

    private static Path runDir(String run) {
        return tempDir.resolve("runs").resolve(run);
    }

    private static String log(String run) throws Exception {
        return Files.readString(runDir(run).resolve("trainer.log"));
    }

    private static long pidInPidFile(String run) throws Exception {
        return RunProcesses.pid(Files.readString(runDir(run).resolve("trainer.pid")), "pid=(\\d+)");
    }

    private static List<String> keysBelow(S3Location prefix) {
        return store.list(prefix).stream().map(o -> o.key().substring(prefix.key().length())).toList();
    }
}
