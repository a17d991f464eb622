package dev.caravan.training;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.AssignAdd;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyAdam;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Adam's update (Kingma and Ba 2015) as TensorFlow's {@code ApplyAdam} kernel applies it, with a learning rate the
 * graph computes (the framework's {@code Adam} takes only a constant), and the step counting that goes with it.
 * The variables are the caller's: local in one process, on the parameter servers in a cluster.
 *
 * @param weights       the trained weights, in the model's order
 * @param firstMoments  Adam's {@code m}, one per weight, zero at first
 * @param secondMoments Adam's {@code v}, one per weight, zero at first
 * @param beta1Power    {@link #BETA1} to the power of the steps taken plus one
 * @param beta2Power    {@link #BETA2} likewise
 * @param globalStep    the updates applied so far
 */
record AdamUpdate(List<Variable<TFloat32>> weights, List<Variable<TFloat32>> firstMoments,
        List<Variable<TFloat32>> secondMoments, Variable<TFloat32> beta1Power, Variable<TFloat32> beta2Power,
        Variable<TInt64> globalStep) {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPSILON = 1e-8f;

    /**
     * Applies {@code gradients} (one per weight, in order) at {@code rate}, each weight's update placed by
     * {@code onWeight} (given its index), then advances the beta powers and the global step on {@code onStep}.
     *
     * @return the new global step
     */
    Operand<TInt64> apply(List<Operand<TFloat32>> gradients, Operand<TFloat32> rate, IntFunction<Ops> onWeight,
            Ops onStep) {
        List<Op> applies = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            Ops ops = onWeight.apply(i);
            applies.add(ops.train.applyAdam(weights.get(i), firstMoments.get(i), secondMoments.get(i), beta1Power,
                    beta2Power, rate, ops.constant(BETA1), ops.constant(BETA2), ops.constant(EPSILON), gradients.get(i),
                    ApplyAdam.useLocking(true)));
        }
        Ops afterApplies = onStep.withControlDependencies(applies);
        List<Op> powers = List.of(
                afterApplies.assign(beta1Power, afterApplies.math.mul(beta1Power, afterApplies.constant(BETA1)),
                        Assign.useLocking(true)),
                afterApplies.assign(beta2Power, afterApplies.math.mul(beta2Power, afterApplies.constant(BETA2)),
                        Assign.useLocking(true)));
        Ops afterPowers = onStep.withControlDependencies(powers);
        return afterPowers.assignAdd(globalStep, afterPowers.constant(1L), AssignAdd.useLocking(true));
    }
}
