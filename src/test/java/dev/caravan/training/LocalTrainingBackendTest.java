package dev.caravan.training;

import dev.caravan.testutil.Pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

import dev.caravan.data.MnistData;
import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

class LocalTrainingBackendTest {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/mnist/");

    @TempDir
    static Path tempDir;

    private static EmbeddedS3 s3;
    private static ObjectStore store;
    private static LocalTrainingBackend backend;

    private final List<TrainingProgress> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startS3WithMnist() {
        s3 = EmbeddedS3.start(tempDir.resolve("s3"), "127.0.0.1", 0, "key", "secret");
        store = ObjectStore.connect(s3.settings());
        store.createBucketIfMissing("tfmnist");
        store.uploadDirectory(Path.of("data/mnist"), DATA);
        backend = backend();
    }

    @AfterAll
    static void stopS3() {
        store.close();
        s3.close();
    }

    @Test
    void trainsInAChildProcessAndExportsAModelThatServes() throws Exception {
        TrainingRequest request = request("run-1", DATA, 30, Duration.ofMinutes(2));

        TrainingResult result = backend.train(request, progress::add);

        assertThat(result.export()).isEqualTo(request.exportDir());
        assertThat(result.last()).isEqualTo(progress.get(progress.size() - 1));
        assertThat(progress).extracting(TrainingProgress::step).contains(3, 30).isSorted();
        assertThat(progress).allSatisfy(p -> assertThat(p.totalSteps()).isEqualTo(30));
        assertThat(keysBelow(request.exportDir())).contains("saved_model.pb", "variables/variables.index",
                "variables/variables.data-00000-of-00001");
        assertThat(keysBelow(request.modelDir())).contains("checkpoint", "model.ckpt-30.index")
                .anyMatch(key -> key.startsWith("events.out.tfevents."));
        assertThat(scalarTags(request.modelDir())).contains("loss", "accuracy", "test_accuracy");
        assertThat(Files.readString(tempDir.resolve("runs/run-1/trainer.log")))
                .contains("CARAVAN_PROGRESS {\"step\":30,\"totalSteps\":30")
                .contains("trainer: exported the SavedModel to s3://tfmnist/models/run-1/1/");
        assertServes(request.exportDir());
    }

    @Test
    void reportsAFailingTrainerWithItsMessage() {
        TrainingRequest request = request("run-no-data", S3Location.parse("s3://tfmnist/empty/"), 30,
                Duration.ofMinutes(1));

        assertThatThrownBy(() -> backend.train(request, progress::add))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("the trainer of run run-no-data failed with exit code 1")
                .hasMessageContaining("s3://tfmnist/empty/train-images-idx3-ubyte.gz: is missing");
        assertThat(progress).isEmpty();
    }

    @Test
    void aTrainerJvmOutOfHeapFailsSayingItRanOutOfMemory() {
        LocalTrainingBackend tinyHeap = new LocalTrainingBackend(tempDir.resolve("runs"), s3.settings(),
                LocalTrainingBackend.currentJava(), System.getProperty("java.class.path"), List.of("-Xmx16m"), Map.of());
        TrainingRequest request = request("run-oom", DATA, 30, Duration.ofMinutes(1));

        assertThatThrownBy(() -> tinyHeap.train(request, progress::add))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("the trainer of run run-oom ran out of memory (")
                .hasMessageContaining("java.lang.OutOfMemoryError")
                .hasMessageContaining("the -Xmx of caravan.training.jvm-options")
                .hasMessageContaining("last lines of " + tempDir.resolve("runs/run-oom/trainer.log"));
    }

    @Test
    void stopsATrainerThatRunsOutOfTime() {
        TrainingRequest request = request("run-slow", DATA, 1_000_000, Duration.ofSeconds(3));

        Throwable thrown = catchThrowable(() -> backend.train(request, progress::add));

        assertThat(thrown).isInstanceOf(TrainingException.class)
                .hasMessageContaining("timed out after 3 s")
                .hasMessageContaining("within the training timeout")
                .hasMessageContaining("raise the training timeout");
        assertThat(ProcessHandle.of(pidIn(thrown.getMessage())).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void returnsAnExportThatIsAlreadyCompleteWithoutTraining() {
        TrainingRequest request = request("run-done", DATA, 30, Duration.ofMinutes(1));
        store.put(request.exportDir().resolve("saved_model.pb"), new byte[] {1});

        TrainingResult result = backend.train(request, progress::add);

        assertThat(result.export()).isEqualTo(request.exportDir());
        assertThat(result.duration()).isZero();
        assertThat(tempDir.resolve("runs/run-done/trainer.log")).doesNotExist();
    }

    @Test
    void adoptsItsRunningTrainerAfterARestart() throws Exception {
        TrainingRequest request = request("run-adopted", DATA, 60, Duration.ofMinutes(2));
        Path pidFile = tempDir.resolve("runs/run-adopted/trainer.pid");
        AtomicReference<Throwable> firstAttempt = new AtomicReference<>();
        Thread before = new Thread(() -> firstAttempt.set(catchThrowable(() -> backend.train(request, p -> { }))));
        before.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidFile));
        // The orchestrator "restarts": the thread that started the trainer stops following it.
        before.interrupt();
        before.join();
        assertThat(firstAttempt.get()).isInstanceOf(TrainingException.class).hasMessageContaining("interrupted");

        TrainingResult result = backend().train(request, progress::add);

        assertThat(result.last().step()).isEqualTo(60);
        assertThat(progress).isNotEmpty();
        assertThat(Files.readString(tempDir.resolve("runs/run-adopted/trainer.log")))
                .containsOnlyOnce("starting the trainer of run run-adopted");
        assertThat(pidFile).doesNotExist();
    }

    private static LocalTrainingBackend backend() {
        return new LocalTrainingBackend(tempDir.resolve("runs"), s3.settings(), LocalTrainingBackend.currentJava(),
                System.getProperty("java.class.path"), List.of("-Xmx512m"), Map.of("TF_CPP_MIN_LOG_LEVEL", "2"));
    }

    private static TrainingRequest request(String run, S3Location data, int steps, Duration timeout) {
        return new TrainingRequest(run, data, S3Location.parse("s3://tfmnist/runs/" + run + "/"),
                S3Location.parse("s3://tfmnist/models/" + run + "/1/"), Pipelines.cnnTrainer(timeout),
                Pipelines.parameters(steps, 50, 0.001));
    }

    private static List<String> keysBelow(S3Location prefix) {
        return store.list(prefix).stream().map(o -> o.key().substring(prefix.key().length())).toList();
    }

    private static List<String> scalarTags(S3Location modelDir) throws Exception {
        String events = keysBelow(modelDir).stream().filter(k -> k.startsWith("events.out.tfevents.")).findFirst()
                .orElseThrow();
        return EventFiles.scalars(store.read(modelDir.resolve(events))).stream().map(EventFiles.Scalar::tag).toList();
    }

    /** Loads the export as TensorFlow Serving would and classifies the first test images through its signature. */
    private static void assertServes(S3Location export) {
        Path local = tempDir.resolve("export-copy");
        store.downloadDirectory(export, local);
        MnistDataset test = MnistData.loadLocal(Path.of("data/mnist"), MnistSplit.TEST).first(4);
        float[] pixels = new float[4 * 784];
        for (int i = 0; i < 4; i++) {
            test.copyPixels(i, pixels, i * 784);
        }
        try (SavedModelBundle model = SavedModelBundle.load(local.toString(), "serve");
                TFloat32 x = TFloat32.tensorOf(Shape.of(4, 28, 28), DataBuffers.of(pixels));
                Result result = model.function("serving_default").call(Map.of("x", x))) {
            TUint8 classes = (TUint8) result.get("classes").orElseThrow();
            TFloat32 predictions = (TFloat32) result.get("predictions").orElseThrow();
            assertThat(classes.shape()).isEqualTo(Shape.of(4));
            assertThat(predictions.shape()).isEqualTo(Shape.of(4, 10));
            float sum = 0;
            for (int c = 0; c < 10; c++) {
                sum += predictions.getFloat(0, c);
            }
            assertThat(sum).isCloseTo(1f, within(1e-4f));
            assertThat(classes.getByte(0)).isBetween((byte) 0, (byte) 9);
        }
    }

    private static long pidIn(String message) {
        Matcher pid = Pattern.compile("\\(pid (\\d+)\\)").matcher(message);
        assertThat(pid.find()).as("a pid in: %s", message).isTrue();
        return Long.parseLong(pid.group(1));
    }
}
