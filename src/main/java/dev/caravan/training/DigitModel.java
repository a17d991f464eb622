package dev.caravan.training;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A digit classifier of a built-in trainer: its weights and the class scores they compute. The training graph and
 * the lean inference graph both build the model from here, so their weights carry the same names and shapes and a
 * checkpoint of one restores into the other.
 */
interface DigitModel {

    int ROWS = 28;
    int COLS = 28;
    int CLASSES = 10;

    /** The built-in trainer's name, as {@code CARAVAN_TRAINER} and a pipeline's {@code trainer.builtin} give it. */
    String name();

    /** The trained weights, in a fixed order. */
    List<Weight> weights();

    /** Unnormalised class scores {@code [-1, 10]} for images {@code x} of shape {@code [-1, 28, 28]}, pixels 0..1. */
    Operand<TFloat32> logits(Ops tf, Operand<TFloat32> x, Map<String, Operand<TFloat32>> weights);

    /** One variable per weight, by variable name, created by {@code variable} (initialised or restored). */
    default Map<String, Operand<TFloat32>> variables(Function<Weight, Operand<TFloat32>> variable) {
        Map<String, Operand<TFloat32>> variables = new LinkedHashMap<>();
        weights().forEach(weight -> variables.put(weight.variableName(), variable.apply(weight)));
        return variables;
    }

    /** The model of built-in trainer {@code name}, if there is one. */
    static Optional<DigitModel> builtin(String name) {
        return builtins().stream().filter(model -> model.name().equals(name)).findFirst();
    }

    static List<DigitModel> builtins() {
        return List.of(new CnnModel(), new MlpModel());
    }

    /**
     * The mean softmax cross-entropy of {@code logits} {@code [-1, 10]} against integer {@code labels} {@code [-1]},
     * named {@code loss}. The sparse cross-entropy has no gradient in TensorFlow's C++ API: one-hot labels take the
     * dense one.
     */
    static Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels) {
        Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(CLASSES), tf.constant(1f), tf.constant(0f));
        return tf.withName("loss").math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss(),
                tf.constant(0));
    }

    /** The share of {@code labels} whose class has the highest of {@code logits}, 0..1, named {@code accuracy}. */
    static Operand<TFloat32> accuracy(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels) {
        Operand<TFloat32> correct = tf.dtypes.cast(
                tf.math.equal(tf.math.argMax(logits, tf.constant(1), TInt32.class), labels), TFloat32.class);
        return tf.withName("accuracy").math.mean(correct, tf.constant(0));
    }

    /**
     * The initial value of the {@code index}-th weight: a He-scaled truncated normal drawn with {@code seed}, or 0.1
     * for a bias; the same for every process given the same seed.
     */
    static Operand<TFloat32> initialValue(Ops tf, Weight weight, int index, long seed) {
        return weight.isBias()
                ? tf.fill(tf.constant(weight.shape()), tf.constant(0.1f))
                : tf.math.mul(tf.random.truncatedNormal(tf.constant(weight.shape()), TFloat32.class,
                                TruncatedNormal.seed(seed), TruncatedNormal.seed2((long) index)),
                        tf.constant((float) Math.sqrt(2.0 / weight.fanIn())));
    }

    /** A fully connected layer: {@code input} times {@code kernel} plus {@code bias}. */
    static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> input, Operand<TFloat32> kernel, Operand<TFloat32> bias) {
        return tf.math.add(tf.linalg.matMul(input, kernel), bias);
    }

    /**
     * A weight and its variable's name. Names are flat, at root scope: Adam's {@code minimize} fails on variables
     * created under a sub-scope.
     */
    record Weight(String variableName, long[] dims) {

        static Weight of(String variableName, long... dims) {
            return new Weight(variableName, dims);
        }

        Shape shape() {
            return Shape.of(dims);
        }

        boolean isBias() {
            return dims.length == 1;
        }

        /** Inputs feeding one unit of the layer: the scale of its initial weights (He et al.). */
        long fanIn() {
            return Arrays.stream(dims, 0, dims.length - 1).reduce(1, (a, b) -> a * b);
        }
    }
}
