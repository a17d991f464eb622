package dev.caravan.training;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * How the learning rate moves over a training of {@code total} steps, as {@code TF_LEARNING_RATE_SCHEDULE} names it.
 * {@code warmup-cosine}, the default, rises linearly from the peak divided by the warm-up steps to the peak over the
 * first tenth of the steps (gradual warm-up, Goyal et al. 2017), then falls along a half cosine towards 0 at the
 * last step (cosine annealing without restarts, Loshchilov and Hutter 2017; Keras {@code CosineDecay} with
 * {@code warmup_steps}). {@code constant} keeps the peak throughout. The graph computes the rate from the global
 * step, so every replica of a cluster follows the same schedule and a restored step resumes it.
 */
enum LearningRateSchedule {

    WARMUP_COSINE("warmup-cosine"),
    CONSTANT("constant");

    /** The share of the steps that warm up. */
    static final double WARMUP_SHARE = 0.1;

    private final String id;

    LearningRateSchedule(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    /**
     * @throws IllegalArgumentException naming the schedules there are
     */
    static LearningRateSchedule of(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(schedule -> schedule.id.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + id + "' is not a learning-rate schedule; use one of "
                        + Arrays.stream(values()).map(LearningRateSchedule::id).collect(Collectors.joining(", "))));
    }

    /** The rate of the update at {@code step} (0 for the first) of {@code total}, for a peak rate {@code peak}. */
    double rate(double peak, long step, long total) {
        if (this == CONSTANT) {
            return peak;
        }
        long warmup = warmupSteps(total);
        double warm = Math.min(1, (step + 1) / (double) warmup);
        double progress = Math.min(1, Math.max(0, (step - warmup) / (double) Math.max(1, total - warmup)));
        return peak * warm * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    /** {@link #rate(double, long, long)} as ops on the global step, the number of updates applied so far. */
    Operand<TFloat32> rate(Ops tf, float peak, Operand<TInt64> globalStep, long total) {
        if (this == CONSTANT) {
            return tf.constant(peak);
        }
        long warmup = warmupSteps(total);
        Operand<TFloat32> step = tf.dtypes.cast(globalStep, TFloat32.class);
        Operand<TFloat32> warm = tf.math.minimum(tf.constant(1f),
                tf.math.div(tf.math.add(step, tf.constant(1f)), tf.constant((float) warmup)));
        Operand<TFloat32> progress = tf.clipByValue(
                tf.math.div(tf.math.sub(step, tf.constant((float) warmup)), tf.constant((float) Math.max(1, total - warmup))),
                tf.constant(0f), tf.constant(1f));
        Operand<TFloat32> cosine = tf.math.mul(tf.constant(0.5f),
                tf.math.add(tf.constant(1f), tf.math.cos(tf.math.mul(tf.constant((float) Math.PI), progress))));
        return tf.withName("learning_rate").math.mul(tf.constant(peak), tf.math.mul(warm, cosine));
    }

    private static long warmupSteps(long total) {
        return Math.max(1, Math.round(total * WARMUP_SHARE));
    }
}
