package dev.caravan.training;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The digit classifier: conv 5x5x16, max-pool, conv 5x5x32, max-pool, dense 128, dense 10. The training graph and
 * the lean inference graph both build it from here, so their weights carry the same names and shapes and a
 * checkpoint of one restores into the other.
 */
final class CnnModel {

    static final int ROWS = 28;
    static final int COLS = 28;
    static final int CLASSES = 10;

    /** The trained weights, with their variable names (flat, at root scope: Adam fails on sub-scoped variables). */
    enum Weight {
        CONV1_KERNEL("conv1_kernel", 5, 5, 1, 16),
        CONV1_BIAS("conv1_bias", 16),
        CONV2_KERNEL("conv2_kernel", 5, 5, 16, 32),
        CONV2_BIAS("conv2_bias", 32),
        DENSE1_KERNEL("dense1_kernel", 7 * 7 * 32, 128),
        DENSE1_BIAS("dense1_bias", 128),
        DENSE2_KERNEL("dense2_kernel", 128, CLASSES),
        DENSE2_BIAS("dense2_bias", CLASSES);

        final String variableName;
        final long[] dims;

        Weight(String variableName, long... dims) {
            this.variableName = variableName;
            this.dims = dims;
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

    private CnnModel() {
    }

    /** One variable per weight, created by {@code variable} (initialised for training, restored for inference). */
    static Map<Weight, Operand<TFloat32>> weights(Function<Weight, Operand<TFloat32>> variable) {
        Map<Weight, Operand<TFloat32>> weights = new EnumMap<>(Weight.class);
        for (Weight weight : Weight.values()) {
            weights.put(weight, variable.apply(weight));
        }
        return weights;
    }

    /** Unnormalised class scores {@code [-1, 10]} for images {@code x} of shape {@code [-1, 28, 28]}, pixels 0..1. */
    static Operand<TFloat32> logits(Ops tf, Operand<TFloat32> x, Map<Weight, Operand<TFloat32>> w) {
        Operand<TFloat32> images = tf.reshape(x, tf.constant(new int[] {-1, ROWS, COLS, 1}));
        Operand<TFloat32> conv1 = convolution(tf, images, w.get(Weight.CONV1_KERNEL), w.get(Weight.CONV1_BIAS));
        Operand<TFloat32> conv2 = convolution(tf, pool(tf, conv1), w.get(Weight.CONV2_KERNEL), w.get(Weight.CONV2_BIAS));
        Operand<TFloat32> flat = tf.reshape(pool(tf, conv2), tf.constant(new int[] {-1, 7 * 7 * 32}));
        Operand<TFloat32> dense1 = tf.nn.relu(dense(tf, flat, w.get(Weight.DENSE1_KERNEL), w.get(Weight.DENSE1_BIAS)));
        return dense(tf, dense1, w.get(Weight.DENSE2_KERNEL), w.get(Weight.DENSE2_BIAS));
    }

    private static Operand<TFloat32> convolution(Ops tf, Operand<TFloat32> input, Operand<TFloat32> kernel,
            Operand<TFloat32> bias) {
        return tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(input, kernel, List.of(1L, 1L, 1L, 1L), "SAME"), bias));
    }

    private static Operand<TFloat32> pool(Ops tf, Operand<TFloat32> input) {
        Operand<org.tensorflow.types.TInt32> window = tf.constant(new int[] {1, 2, 2, 1});
        return tf.nn.maxPool(input, window, window, "SAME");
    }

    private static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> input, Operand<TFloat32> kernel,
            Operand<TFloat32> bias) {
        return tf.math.add(tf.linalg.matMul(input, kernel), bias);
    }
}
