package dev.caravan.evaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.springframework.util.FileSystemUtils;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

import dev.caravan.data.MnistData;
import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/**
 * Measures an exported SavedModel the way a client sees it: through its {@code serving_default} signature, on the
 * test images of the run's data. Loading the export here also proves it is a SavedModel that loads.
 */
public class ModelEvaluator {

    private static final int BATCH = 1000;

    private final ObjectStore store;
    private final Path workDir;

    public ModelEvaluator(ObjectStore store, Path workDir) {
        this.store = store;
        this.workDir = workDir;
    }

    /** The share of test images under {@code dataDir} that the model at {@code export} classifies right. */
    public double accuracy(S3Location export, S3Location dataDir) {
        return evaluate(export, dataDir).value();
    }

    /**
     * The model at {@code export} on the test images under {@code dataDir}: its accuracy, the confusion matrix over
     * the labels 0 to the highest label or class seen, and the first {@value Evaluation#MISCLASSIFIED_KEPT}
     * misclassified images.
     *
     * @throws IllegalStateException when the export is not a SavedModel whose serving_default signature takes
     *                               x [-1,28,28] (floats 0..1) and gives classes
     */
    public Evaluation evaluate(S3Location export, S3Location dataDir) {
        MnistDataset test = MnistData.load(store, dataDir, MnistSplit.TEST);
        Path local = download(export);
        try (SavedModelBundle bundle = SavedModelBundle.load(local.toString(), "serve")) {
            SessionFunction serving = bundle.function("serving_default");
            int[] predicted = new int[test.count()];
            for (int start = 0; start < test.count(); start += BATCH) {
                classify(serving, test, start, Math.min(BATCH, test.count() - start), predicted);
            }
            return ConfusionMatrix.of(test, predicted);
        } catch (IllegalArgumentException | org.tensorflow.exceptions.TensorFlowException e) {
            throw new IllegalStateException("the export at " + export + " is not a SavedModel with a serving_default "
                    + "signature taking x [-1,28,28] and giving classes: " + e.getMessage(), e);
        } finally {
            FileSystemUtils.deleteRecursively(local.toFile());
        }
    }

    private static void classify(SessionFunction serving, MnistDataset test, int start, int count, int[] predicted) {
        int size = test.imageSize();
        float[] pixels = new float[count * size];
        for (int i = 0; i < count; i++) {
            test.copyPixels(start + i, pixels, i * size);
        }
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(count, test.rows(), test.cols()), DataBuffers.of(pixels, true, false));
             Result result = serving.call(Map.of("x", x))) {
            TUint8 classes = (TUint8) result.get("classes").orElseThrow(
                    () -> new IllegalStateException("the serving_default signature has no output 'classes'"));
            for (int i = 0; i < count; i++) {
                predicted[start + i] = Byte.toUnsignedInt(classes.getByte(i));
            }
        }
    }

    private Path download(S3Location export) {
        try {
            Files.createDirectories(workDir);
            Path local = Files.createTempDirectory(workDir, "evaluate-");
            store.downloadDirectory(export, local);
            if (!Files.exists(local.resolve("saved_model.pb"))) {
                throw new IllegalStateException("no saved_model.pb under " + export + "; the trainer's export is incomplete");
            }
            return local;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a folder for evaluation in " + workDir, e);
        }
    }
}
