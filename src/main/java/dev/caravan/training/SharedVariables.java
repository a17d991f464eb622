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

    private final Ops tf;
    private final int parameterServers;
    private final List<Variable<TFloat32>> weights = new ArrayList<>();
    private final Map<String, Operand<TFloat32>> weightsByName = new LinkedHashMap<>();
    private final List<Variable<TFloat32>> firstMoments = new ArrayList<>();
    private final List<Variable<TFloat32>> secondMoments = new ArrayList<>();
    private final List<Op> initialisers = new ArrayList<>();
    private final List<Operand<TBool>> initialised = new ArrayList<>();
    private final AdamUpdate adam;
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
        globalStep = shared(ps0, "global_step", Shape.scalar(), TInt64.class, ps0.constant(0L));
        adam = new AdamUpdate(weights, firstMoments, secondMoments,
                shared(ps0, "adam_beta1_power", Shape.scalar(), TFloat32.class, ps0.constant(AdamUpdate.BETA1)),
                shared(ps0, "adam_beta2_power", Shape.scalar(), TFloat32.class, ps0.constant(AdamUpdate.BETA2)),
                globalStep);
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
     * Applies Adam with {@code gradients} (one per weight, in order) at {@code rate} on the weights' servers, then
     * advances the beta powers and adds 1 to the global step on {@code ps:0}; the result is the new global step.
     */
    Operand<TInt64> applyAdam(List<Operand<TFloat32>> gradients, Operand<TFloat32> rate) {
        return adam.apply(gradients, rate, this::onServerOf, onServer(0));
    }

    /** The rate {@code schedule} gives the next update, computed on {@code ps:0} from the global step. */
    Operand<TFloat32> learningRate(LearningRateSchedule schedule, float peak, long totalSteps) {
        return schedule.rate(onServer(0), peak, globalStep, totalSteps);
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
