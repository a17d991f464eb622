package dev.caravan.training;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.exception.SdkException;

import dev.caravan.data.MnistData;
import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;
import dev.caravan.storage.ObjectStore;

/**
 * What every built-in trainer, single or one replica of a cluster, works with: its settings, S3 (impatient for the
 * data and the events sent as training goes, patient for what a finished training uploads) and its log.
 */
final class TrainerContext {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainerSettings settings;
    private final ObjectStore store;
    private final ObjectStore uploads;
    private final PrintStream out;

    TrainerContext(TrainerSettings settings, ObjectStore store, ObjectStore uploads, PrintStream out) {
        this.settings = settings;
        this.store = store;
        this.uploads = uploads;
        this.out = out;
    }

    TrainerSettings settings() {
        return settings;
    }

    MnistDataset load(MnistSplit split) {
        long started = System.nanoTime();
        MnistDataset dataset = MnistData.load(store, settings.dataDir(), split);
        log("loaded %d %s images from %s in %.1f s", dataset.count(), split.name().toLowerCase(Locale.ROOT),
                settings.dataDir(), (System.nanoTime() - started) / 1e9);
        return dataset;
    }

    /**
     * Reports a step's batch metrics: as TensorBoard scalars, as a progress line, and by uploading {@code modelDir}
     * so TensorBoard shows the run while it trains. S3 being away for a moment (its server restarting, say) must not
     * end a training: the next report, and the final upload, send everything again.
     */
    void report(long step, TrainingGraph.Metrics metrics, EventWriter events, Path modelDir) {
        events.scalar("loss", step, metrics.loss());
        events.scalar("accuracy", step, metrics.accuracy());
        events.flush();
        out.println(ProgressLine.format(new TrainingProgress((int) step, settings.trainSteps(),
                shortest(metrics.loss()), shortest(metrics.accuracy()))));
        try {
            store.uploadDirectory(modelDir, settings.modelDir());
        } catch (SdkException e) {
            log("events of step %d not uploaded now (%s); they go with the next upload", step, e.getMessage());
        }
    }

    /**
     * Leaves the test metrics as {@code metrics.json} and the {@code checkpoint} index beside {@code checkpoint} in
     * {@code modelDir}, then uploads the folder to {@code TF_MODEL_DIR}, patiently.
     */
    void keepCheckpoint(Path modelDir, Path checkpoint, TrainingGraph.Metrics test) {
        write(modelDir.resolve(TrainerEnvironment.METRICS_FILE), metricsJson(test));
        writeCheckpointIndex(modelDir, checkpoint);
        uploadModelDir(modelDir);
        log("saved the checkpoint and TensorBoard events to %s", settings.modelDir());
    }

    /** Uploads {@code modelDir} (events, and the chief's checkpoint) to {@code TF_MODEL_DIR}, patiently. */
    void uploadModelDir(Path modelDir) {
        uploads.uploadDirectory(modelDir, settings.modelDir());
    }

    /** Exports the SavedModel from {@code checkpoint} and uploads it to {@code TF_EXPORT_DIR}, saved_model.pb last. */
    void export(Path checkpoint, Path exportDir) {
        ServingExport.export(settings.model(), checkpoint, exportDir);
        uploads.uploadDirectory(exportDir, settings.exportDir(), "saved_model.pb");
        log("exported the SavedModel to %s", settings.exportDir());
    }

    void log(String format, Object... args) {
        out.println("trainer: " + String.format(Locale.ROOT, format, args));
    }

    /** The float as printed (0.92, not 0.9200000166893005): a float's precision is all the double holds. */
    static double shortest(float value) {
        return Double.parseDouble(Float.toString(value));
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

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
