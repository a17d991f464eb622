package dev.caravan.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * Writes the SavedModel that TensorFlow Serving loads: a graph of inference only (no optimizer, labels or Adam
 * slots), whose weights are restored from the training checkpoint. Tag {@code serve}, signature
 * {@code serving_default} ({@code tensorflow/serving/predict}): input {@code x} float32 {@code [-1,28,28]} with pixels
 * 0..1, outputs {@code classes} uint8 {@code [-1]} and {@code predictions} float32 {@code [-1,10]} (softmax).
 */
final class ServingExport {

    static final String SIGNATURE_KEY = Signature.DEFAULT_KEY;
    static final String METHOD_NAME = "tensorflow/serving/predict";
    static final String TAG = SavedModelBundle.DEFAULT_TAG;

    private ServingExport() {
    }

    /** Exports {@code model}'s weights saved at {@code checkpoint} into {@code exportDir} (not holding a model yet). */
    static void export(DigitModel model, Path checkpoint, Path exportDir) {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, DigitModel.ROWS, DigitModel.COLS)));
            Map<String, Operand<TFloat32>> weights = model.variables(
                    w -> tf.withName(w.variableName()).variable(w.shape(), TFloat32.class));
            Operand<TFloat32> logits = model.logits(tf, x, weights);
            Operand<TUint8> classes = tf.withName("classes").dtypes.cast(
                    tf.math.argMax(logits, tf.constant(1)), TUint8.class);
            Operand<TFloat32> predictions = tf.withName("predictions").nn.softmax(logits);
            Signature signature = Signature.builder()
                    .key(SIGNATURE_KEY)
                    .methodName(METHOD_NAME)
                    .input("x", x)
                    .output("classes", classes)
                    .output("predictions", predictions)
                    .build();
            try (Session session = new Session(graph)) {
                session.restore(checkpoint.toString());
                SavedModelBundle.exporter(exportDir.toString()).withTags(TAG).withSession(session)
                        .withSignature(signature).export();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the SavedModel to " + exportDir + ": " + e.getMessage(), e);
        }
    }
}
