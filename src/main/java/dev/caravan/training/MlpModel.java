package dev.caravan.training;

import java.util.List;
import java.util.Map;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The {@code mnist-mlp} model: 784 pixels, a dense layer of 256 with ReLU, dense 10. About ten times faster to train
 * than the CNN, for a little less accuracy (about 0.965 after 1000 steps of 100 images, against 0.985).
 */
final class MlpModel implements DigitModel {

    static final String NAME = "mnist-mlp";

    private static final int HIDDEN = 256;
    private static final List<Weight> WEIGHTS = List.of(
            Weight.of("dense1_kernel", ROWS * COLS, HIDDEN),
            Weight.of("dense1_bias", HIDDEN),
            Weight.of("dense2_kernel", HIDDEN, CLASSES),
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
        Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, ROWS * COLS}));
        Operand<TFloat32> hidden = tf.nn.relu(DigitModel.dense(tf, flat, w.get("dense1_kernel"), w.get("dense1_bias")));
        return DigitModel.dense(tf, hidden, w.get("dense2_kernel"), w.get("dense2_bias"));
    }
}
