package dev.caravan.bench;

import java.nio.file.Path;

import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * The baseline: a SavedModel called directly, as an application embedding TensorFlow would, with tensors resolved
 * once and the same session settings as the server (ops on the calling thread).
 */
final class InProcessModel implements AutoCloseable {

    private final SavedModelBundle bundle;
    private final Output<?> input;
    private final Output<?> classes;
    private final Output<?> predictions;

    private InProcessModel(SavedModelBundle bundle) {
        this.bundle = bundle;
        SignatureDef signature = bundle.metaGraphDef().getSignatureDefOrThrow("serving_default");
        this.input = bundle.graph().outputOrThrow(signature.getInputsOrThrow("x").getName());
        this.classes = bundle.graph().outputOrThrow(signature.getOutputsOrThrow("classes").getName());
        this.predictions = bundle.graph().outputOrThrow(signature.getOutputsOrThrow("predictions").getName());
    }

    static InProcessModel load(Path dir) {
        ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(1).setInterOpParallelismThreads(-1).build();
        return new InProcessModel(SavedModelBundle.loader(dir.toString()).withTags("serve").withConfigProto(config).load());
    }

    /** One batch-1 prediction, reading the probabilities out as a caller would. */
    float[] predict(float[] pixels) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, 28, 28), t -> t.asRawTensor().data().asFloats().write(pixels));
             Result result = bundle.session().runner().feed(input, x).fetch(classes).fetch(predictions).run()) {
            float[] probabilities = new float[10];
            result.get(1).asRawTensor().data().asFloats().read(probabilities);
            return probabilities;
        }
    }

    /** One call on {@code batch} copies of an image stacked into one tensor, as a server's batch would run. */
    float[] predictBatch(float[] stacked, int batch) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(batch, 28, 28), t -> t.asRawTensor().data().asFloats().write(stacked));
             Result result = bundle.session().runner().feed(input, x).fetch(classes).fetch(predictions).run()) {
            float[] probabilities = new float[10 * batch];
            result.get(1).asRawTensor().data().asFloats().read(probabilities);
            return probabilities;
        }
    }

    @Override
    public void close() {
        bundle.close();
    }
}
