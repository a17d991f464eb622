package dev.caravan.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tensorflow.DeviceSpec;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.AssignAdd;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyAdam;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

import dev.caravan.training.DigitModel.Weight;

/**
 * The state a parameter-server cluster shares, on the parameter servers under shared names: the model's weights
 * (round-robin over the servers) with their Adam slots beside them, on {@code ps:0} Adam's beta powers, the global
 * step and the counters by which the tasks agree how training ends, and on each server the flag that lets it go.
 * Only the chief runs the initialisers.
 */
final class SharedVariables {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPSILON = 1e-8f;

    private final Ops tf;
    private final int parameterServers;
    private final List<Variable<TFloat32>> weights = new ArrayList<>();
    private final Map<String, Operand<TFloat32>> weightsByName = new LinkedHashMap<>();
    private final List<Variable<TFloat32>> firstMoments = new ArrayList<>();
    private final List<Variable<TFloat32>> secondMoments = new ArrayList<>();
    private final List<Op> initialisers = new ArrayList<>();
    private final List<Operand<TBool>> initialised = new ArrayList<>();
    private final Variable<TFloat32> beta1Power;
    private final Variable<TFloat32> beta2Power;
    final Variable<TInt64> globalStep;
    /** Gradient tasks that stopped applying updates. */
    final Variable<TInt64> stopped;
    /** Workers done with everything, their events uploaded. */
    final Variable<TInt64> finished;
    /** 1 once the chief no longer needs the parameter servers: one on each, which it reads on itself. */
    final List<Variable<TInt64>> chiefDone = new ArrayList<>();

    /** @param task ops placed on this task, where the initial values are drawn */
    SharedVariables(Ops tf, Ops task, DigitModel model, long seed, int parameterServers) {
        this.tf = tf;
        this.parameterServers = parameterServers;
        List<Weight> order = model.weights();
        for (int i = 0; i < order.size(); i++) {
            Weight weight = order.get(i);
            Ops ps = onServerOf(i);
            Variable<TFloat32> variable = shared(ps, weight.variableName(), weight.shape(), TFloat32.class,
                    DigitModel.initialValue(task, weight, i, seed));
            weights.add(variable);
            weightsByName.put(weight.variableName(), variable);
            Operand<TFloat32> zeros = ps.zeros(ps.constant(weight.shape()), TFloat32.class);
            firstMoments.add(shared(ps, weight.variableName() + "_adam_m", weight.shape(), TFloat32.class, zeros));
            secondMoments.add(shared(ps, weight.variableName() + "_adam_v", weight.shape(), TFloat32.class, zeros));
        }
        Ops ps0 = onServer(0);
        beta1Power = shared(ps0, "adam_beta1_power", Shape.scalar(), TFloat32.class, ps0.constant(BETA1));
        beta2Power = shared(ps0, "adam_beta2_power", Shape.scalar(), TFloat32.class, ps0.constant(BETA2));
        globalStep = shared(ps0, "global_step", Shape.scalar(), TInt64.class, ps0.constant(0L));
        stopped = shared(ps0, "tasks_stopped", Shape.scalar(), TInt64.class, ps0.constant(0L));
        finished = shared(ps0, "workers_finished", Shape.scalar(), TInt64.class, ps0.constant(0L));
        for (int server = 0; server < parameterServers; server++) {
            Ops ps = onServer(server);
            chiefDone.add(shared(ps, chiefDoneName(server), Shape.scalar(), TInt64.class, ps.constant(0L)));
        }
    }

    /** The flag on parameter server {@code task} that says the chief is done with it. */
    static String chiefDoneName(int task) {
        return "chief_done_" + task;
    }

    static DeviceSpec device(String job, int task) {
        return DeviceSpec.newBuilder().job(job).task(task).build();
    }

    /** Ops on the parameter server holding weight {@code index}. */
    Ops onServerOf(int index) {
        return onServer(index % parameterServers);
    }

    List<Variable<TFloat32>> weights() {
        return weights;
    }

    Map<String, Operand<TFloat32>> weightsByName() {
        return weightsByName;
    }

    List<Op> initialisers() {
        return initialisers;
    }

    List<Operand<TBool>> initialised() {
        return initialised;
    }

    /**
     * Applies Adam with {@code gradients} (one per weight, in order) on the weights' servers, then advances the beta
     * powers and adds 1 to the global step; the result is the new global step.
     */
    Operand<TInt64> applyAdam(List<Operand<TFloat32>> gradients, float learningRate) {
        List<Op> applies = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            Ops ps = onServerOf(i);
            applies.add(ps.train.applyAdam(weights.get(i), firstMoments.get(i), secondMoments.get(i), beta1Power,
                    beta2Power, ps.constant(learningRate), ps.constant(BETA1), ps.constant(BETA2), ps.constant(EPSILON),
                    gradients.get(i), ApplyAdam.useLocking(true)));
        }
        Ops afterApplies = onServer(0).withControlDependencies(applies);
        List<Op> powers = List.of(
                afterApplies.assign(beta1Power, afterApplies.math.mul(beta1Power, afterApplies.constant(BETA1)),
                        Assign.useLocking(true)),
                afterApplies.assign(beta2Power, afterApplies.math.mul(beta2Power, afterApplies.constant(BETA2)),
                        Assign.useLocking(true)));
        Ops afterPowers = onServer(0).withControlDependencies(powers);
        return afterPowers.assignAdd(globalStep, afterPowers.constant(1L), AssignAdd.useLocking(true));
    }

    /** Adds 1 to {@code counter} under its lock; the result is its new value. */
    Operand<TInt64> increment(Variable<TInt64> counter) {
        Ops ps0 = onServer(0);
        return ps0.assignAdd(counter, ps0.constant(1L), AssignAdd.useLocking(true));
    }

    private Ops onServer(int task) {
        return tf.withDevice(device(TfConfig.PS, task));
    }

    private <T extends TType> Variable<T> shared(Ops ps, String name, Shape shape, Class<T> type, Operand<T> initial) {
        Variable<T> variable = ps.withName(name).variable(shape, type, Variable.sharedName(name));
        initialisers.add(ps.assign(variable, initial, Assign.useLocking(true)));
        initialised.add(ps.isVariableInitialized(variable));
        return variable;
    }
}
