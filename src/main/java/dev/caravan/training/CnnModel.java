package dev.caravan.training;

import java.util.List;
import java.util.Map;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The {@code mnist-cnn} model: conv 3x3x16, max-pool, conv 3x3x32, max-pool, dense 128, dense 10. 3x3 kernels rather
 * than the classic 5x5: the same accuracy in the default run for about two thirds of the compute
 * ({@code bench/training.sh} shows the frontier).
 */
final class CnnModel implements DigitModel {

    static final String NAME = "mnist-cnn";

    private static final List<Weight> WEIGHTS = List.of(
            Weight.of("conv1_kernel", 3, 3, 1, 16),
            Weight.of("conv1_bias", 16),
            Weight.of("conv2_kernel", 3, 3, 16, 32),
            Weight.of("conv2_bias", 32),
            Weight.of("dense1_kernel", 7 * 7 * 32, 128),
            Weight.of("dense1_bias", 128),
            Weight.of("dense2_kernel", 128, CLASSES),
            Weight.of("dense2_bias", CLASSES));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Weight> weights() {
        return WEIGHTS;
    }

    @Override
    public Operand<TFloat32> logits(Ops tf, Operand<TFloat32> x, Map<String, Operand<TFloat32>> w) {
        Operand<TFloat32> images = tf.reshape(x, tf.constant(new int[] {-1, ROWS, COLS, 1}));
        Operand<TFloat32> conv1 = convolution(tf, images, w.get("conv1_kernel"), w.get("conv1_bias"));
        Operand<TFloat32> conv2 = convolution(tf, pool(tf, conv1), w.get("conv2_kernel"), w.get("conv2_bias"));
        Operand<TFloat32> flat = tf.reshape(pool(tf, conv2), tf.constant(new int[] {-1, 7 * 7 * 32}));
        Operand<TFloat32> dense1 = tf.nn.relu(DigitModel.dense(tf, flat, w.get("dense1_kernel"), w.get("dense1_bias")));
        return DigitModel.dense(tf, dense1, w.get("dense2_kernel"), w.get("dense2_bias"));
    }

    private static Operand<TFloat32> convolution(Ops tf, Operand<TFloat32> input, Operand<TFloat32> kernel,
            Operand<TFloat32> bias) {
        return tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(input, kernel, List.of(1L, 1L, 1L, 1L), "SAME"), bias));
    }

    private static Operand<TFloat32> pool(Ops tf, Operand<TFloat32> input) {
        Operand<TInt32> window = tf.constant(new int[] {1, 2, 2, 1});
        return tf.nn.maxPool(input, window, window, "SAME");
    }
}
