package dev.caravan.training;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.caravan.data.DataValidationException;
import dev.caravan.data.MnistData;
import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Clients;
import dev.caravan.storage.S3OperationException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The built-in trainers, which a TFJob container (or a local child JVM) runs: reads MNIST from {@code TF_DATA_DIR},
 * trains the model {@code CARAVAN_TRAINER} names ({@code mnist-cnn}, the default, or {@code mnist-mlp}), keeps
 * TensorBoard events, a checkpoint and {@code metrics.json} in {@code TF_MODEL_DIR} and exports the SavedModel to
 * {@code TF_EXPORT_DIR}, {@code saved_model.pb} last. See {@link TrainerEnvironment} for the contract.
 * Exit status: 0 done, 1 failed, 2 invalid environment; the reason goes to stderr in one line. S3 requests are tried
 * {@code AWS_MAX_ATTEMPTS} times; the finished training's uploads keep trying for {@link #UPLOAD_PATIENCE}.
 */
public final class MnistTrainer {

    static final int EXIT_FAILED = 1;
    static final int EXIT_INVALID_ENVIRONMENT = 2;
    private static final long SEED = 20_180_712L;
    private static final Duration UPLOAD_PATIENCE = Duration.ofMinutes(2);
    private static final String LOGBACK_CONFIGURATION = "logback.configurationFile";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainerSettings settings;
    private final ObjectStore store;
    private final ObjectStore uploads;
    private final PrintStream out;

    /**
     * @param store   reads the data and uploads events as training goes, failing after the settings' attempts
     * @param uploads uploads the checkpoint and the export, patiently
     */
    MnistTrainer(TrainerSettings settings, ObjectStore store, ObjectStore uploads, PrintStream out) {
        this.settings = settings;
        this.store = store;
        this.uploads = uploads;
        this.out = out;
    }

    public static void main(String[] args) {
        // Without a configuration, logback logs every library at DEBUG: the trainer log would drown in S3 traffic.
        if (System.getProperty(LOGBACK_CONFIGURATION) == null) {
            System.setProperty(LOGBACK_CONFIGURATION, "dev/caravan/training/trainer-logback.xml");
        }
        // Exit explicitly: TensorFlow and the S3 client may keep threads that would hold the JVM up.
        System.exit(run(System.getenv(), System.out, System.err));
    }

    static int run(Map<String, String> env, PrintStream out, PrintStream err) {
        TrainerSettings settings;
        try {
            settings = TrainerSettings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            err.println("trainer: invalid environment: " + e.getMessage());
            return EXIT_INVALID_ENVIRONMENT;
        }
        // A finished training is worth waiting for: its uploads outlast S3's server restarting, say.
        try (ObjectStore store = ObjectStore.connect(settings.s3());
                ObjectStore uploads = new ObjectStore(S3Clients.patient(settings.s3(), UPLOAD_PATIENCE))) {
            new MnistTrainer(settings, store, uploads, out).train();
            return 0;
        } catch (DataValidationException e) {
            err.println("trainer: the training data cannot be used: " + e.getMessage());
        } catch (S3OperationException e) {
            err.println("trainer: " + e.getMessage() + " (S3_ENDPOINT and the AWS_* variables say where and how)");
        } catch (SdkException e) {
            err.println("trainer: S3 at " + settings.s3().endpoint() + " failed: " + e.getMessage()
                    + "; check that it is reachable and that S3_ENDPOINT and the AWS_* credentials are right");
        } catch (RuntimeException e) {
            err.println("trainer: training failed: " + e);
            e.printStackTrace(err);
        }
        return EXIT_FAILED;
    }

    void train() {
        try (ScratchDir work = ScratchDir.create("caravan-trainer-")) {
            Path modelDir = work.resolve("model");
            Path exportDir = work.resolve("export");
            Path checkpoint = fitAndCheckpoint(modelDir);
            ServingExport.export(settings.model(), checkpoint, exportDir);
            uploads.uploadDirectory(exportDir, settings.exportDir(), "saved_model.pb");
            log("exported the SavedModel to %s", settings.exportDir());
        }
    }

    private Path fitAndCheckpoint(Path modelDir) {
        MnistDataset trainSet = load(MnistSplit.TRAIN);
        MnistDataset testSet = load(MnistSplit.TEST);
        int steps = settings.trainSteps();
        Path checkpoint = modelDir.resolve("model.ckpt-" + steps);
        try (TrainingGraph graph = new TrainingGraph(settings.model(), settings.learningRate(), SEED);
                EventWriter events = new EventWriter(modelDir)) {
            BatchSampler batches = new BatchSampler(trainSet, settings.batchSize(), SEED);
            long started = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                boolean report = step % settings.reportEvery() == 0 || step == steps;
                TrainingGraph.Metrics metrics = graph.train(batches.next(), report);
                if (report) {
                    report(step, metrics, events, modelDir);
                }
            }
            log("trained %s for %d steps of %d images in %.1f s", settings.model().name(), steps, settings.batchSize(),
                    (System.nanoTime() - started) / 1e9);
            TrainingGraph.Metrics test = graph.evaluate(testSet);
            events.scalar("test_accuracy", steps, test.accuracy());
            events.scalar("test_loss", steps, test.loss());
            log("test accuracy %.4f, test loss %.4f on %d images", test.accuracy(), test.loss(), testSet.count());
            graph.save(checkpoint);
            write(modelDir.resolve(TrainerEnvironment.METRICS_FILE), metricsJson(test));
        }
        writeCheckpointIndex(modelDir, checkpoint);
        uploads.uploadDirectory(modelDir, settings.modelDir());
        log("saved the checkpoint and TensorBoard events to %s", settings.modelDir());
        return checkpoint;
    }

    private void report(int step, TrainingGraph.Metrics metrics, EventWriter events, Path modelDir) {
        events.scalar("loss", step, metrics.loss());
        events.scalar("accuracy", step, metrics.accuracy());
        events.flush();
        out.println(ProgressLine.format(
                new TrainingProgress(step, settings.trainSteps(), shortest(metrics.loss()), shortest(metrics.accuracy()))));
        // Upload as we go, so TensorBoard shows a run while it trains. S3 being away for a moment (its server
        // restarting, say) must not end a training: the next report, and the final upload, send everything again.
        try {
            store.uploadDirectory(modelDir, settings.modelDir());
        } catch (SdkException e) {
            log("events of step %d not uploaded now (%s); they go with the next upload", step, e.getMessage());
        }
    }

    /** The float as printed (0.92, not 0.9200000166893005): a float's precision is all the double holds. */
    private static double shortest(float value) {
        return Double.parseDouble(Float.toString(value));
    }

    private MnistDataset load(MnistSplit split) {
        long started = System.nanoTime();
        MnistDataset dataset = MnistData.load(store, settings.dataDir(), split);
        log("loaded %d %s images from %s in %.1f s", dataset.count(), split.name().toLowerCase(Locale.ROOT),
                settings.dataDir(), (System.nanoTime() - started) / 1e9);
        return dataset;
    }

    /**
     * The test-set metrics in Kubeflow Pipelines' {@code mlpipeline-metrics} format, which a pipeline evaluated by
     * {@code evaluation: {builtin: trainer}} reads.
     */
    private static String metricsJson(TrainingGraph.Metrics test) {
        ArrayNode metrics = JSON.createArrayNode();
        metrics.addObject().put("name", "accuracy").put("numberValue", shortest(test.accuracy())).put("format", "RAW");
        metrics.addObject().put("name", "loss").put("numberValue", shortest(test.loss())).put("format", "RAW");
        ObjectNode root = JSON.createObjectNode();
        root.set("metrics", metrics);
        return root.toString();
    }

    /** The {@code checkpoint} file by which TensorFlow's tools find the latest checkpoint in a model folder. */
    private static void writeCheckpointIndex(Path modelDir, Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        write(modelDir.resolve("checkpoint"),
                "model_checkpoint_path: \"" + name + "\"\nall_model_checkpoint_paths: \"" + name + "\"\n");
    }

    private void log(String format, Object... args) {
        out.println("trainer: " + String.format(Locale.ROOT, format, args));
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
