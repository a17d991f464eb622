package dev.caravan.training;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.op.train.ConditionalAccumulator;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

import dev.caravan.data.MnistDataset;

/**
 * The training graph of one gradient task (chief or worker) of a parameter-server cluster, built alike by every task
 * (between-graph replication) over the {@link SharedVariables} on the parameter servers; the model, its loss and its
 * gradients run on the task itself.
 * <ul>
 * <li>Asynchronous: each task applies Adam with its own gradients and adds 1 to the global step, which so counts
 *     every task's steps.</li>
 * <li>Synchronous (as TensorFlow's {@code SyncReplicasOptimizer}): each task pushes its gradients into one
 *     conditional accumulator per weight, tagged with the global step they were computed at; the chief takes the
 *     average of one gradient from every task, applies Adam once, adds 1 to the global step and enqueues a token
 *     carrying the new step in each worker's own queue; a worker waits for its token before its next batch.</li>
 * </ul>
 */
final class ReplicatedTrainingGraph implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(50);

    private final Graph graph;
    private final Session session;
    private final SharedVariables shared;
    private final Placeholder<TFloat32> images;
    private final Placeholder<TInt32> labels;
    private final Placeholder<TInt64> localStep;
    private final Operand<TFloat32> loss;
    private final Operand<TFloat32> accuracy;
    private final Operand<TInt64> asyncStep;
    private final List<Op> pushGradients = new ArrayList<>();
    private final Operand<TInt64> syncStep;
    private final Operand<TInt64> token;
    private final Operand<TInt64> stop;
    private final Operand<TInt64> finish;
    private final List<Op> chiefDone;

    ReplicatedTrainingGraph(TrainerSettings settings, long seed, ClusterServer server) {
        DigitModel model = settings.model();
        TfConfig config = server.config();
        graph = new Graph();
        Ops tf = Ops.create(graph);
        Ops task = tf.withDevice(SharedVariables.device(config.type(), config.index()));
        shared = new SharedVariables(tf, task, model, seed, config.parameterServers());
        images = task.withName("x").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, DigitModel.ROWS, DigitModel.COLS)));
        labels = task.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        localStep = task.withName("local_step").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
        // Each weight is read once per step into a local copy, which the forward and the backward pass both use:
        // consumed straight from the parameter server, a weight used twice (dense1 in the CNN) is sent twice.
        Map<String, Operand<TFloat32>> local = new LinkedHashMap<>();
        shared.weightsByName().forEach((name, weight) -> local.put(name, task.withName(name + "_local").identity(weight)));
        Operand<TFloat32> logits = model.logits(task, images, local);
        loss = DigitModel.loss(task, logits, labels);
        accuracy = DigitModel.accuracy(task, logits, labels);
        List<Operand<TFloat32>> gradients = new ArrayList<>();
        task.gradients(loss, shared.weights()).dy().forEach(dy -> gradients.add(dy.expect(TFloat32.class)));
        Operand<TFloat32> rate = shared.learningRate(settings.learningRateSchedule(), settings.learningRate(),
                settings.trainSteps());
        asyncStep = shared.applyAdam(gradients, rate);
        syncStep = synchronousUpdate(tf, gradients, rate, config.gradientTasks());
        Ops ps0 = tf.withDevice(SharedVariables.device(TfConfig.PS, 0));
        token = ps0.io.queueDequeue(tokens(ps0, config.gradientTaskOrdinal()), List.of(TInt64.class)).components()
                .get(0).expect(TInt64.class);
        stop = shared.increment(shared.stopped);
        finish = shared.increment(shared.finished);
        chiefDone = shared.chiefDone.stream().map(flag -> (Op) tf.assign(flag, tf.constant(1L))).toList();
        session = server.session(graph, 0);
    }

    /** Loss and accuracy of the batch a step trained on, and the global step after it. */
    record Step(long globalStep, TrainingGraph.Metrics metrics) {
    }

    /**
     * Waits until every task the session needs listens, retrying TensorFlow's {@code UNAVAILABLE} until
     * {@code timeout}; then the chief initialises the shared variables, and a worker waits for them to be.
     *
     * @throws TrainingException naming the cluster when it is not reachable in time
     */
    void initialise(boolean chief, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean ready = allInitialised(deadline);
        if (chief && !ready) {
            Session.Runner runner = session.runner();
            shared.initialisers().forEach(runner::addTarget);
            runner.run().close();
        }
        while (!chief && !ready) {
            pause(deadline, "the chief to initialise the variables on the parameter servers");
            ready = allInitialised(deadline);
        }
    }

    /** An asynchronous step: this task's gradients applied at once. */
    Step trainAsync(Batch batch, boolean measure) {
        return run(batch, measure, asyncStep, -1, List.of());
    }

    /** Pushes this task's gradients for {@code atStep}, then (the chief) applies the average: the new global step. */
    Step trainSync(Batch batch, boolean measure, long atStep, boolean chief) {
        if (chief) {
            return run(batch, measure, syncStep, atStep, pushGradients);
        }
        Step pushed = run(batch, measure, null, atStep, pushGradients);
        try (Result result = session.runner().fetch(token).run()) {
            return new Step(((TInt64) result.get(0)).getLong(), pushed.metrics());
        }
    }

    long globalStep() {
        return read(shared.globalStep);
    }

    /** Counts this task as stopped, then waits until {@code tasks} have: no update lands after that. */
    void stopAndAwaitOthers(int tasks, Duration timeout) {
        fetchLong(stop);
        awaitCount(shared.stopped, tasks, timeout, "every gradient task to stop");
    }

    /** A worker: counts itself finished, its events uploaded. */
    void finished() {
        fetchLong(finish);
    }

    /** The chief: waits until {@code workers} have finished. */
    void awaitWorkers(int workers, Duration timeout) {
        awaitCount(shared.finished, workers, timeout, "every worker to upload its events and finish");
    }

    /** The chief: tells the parameter servers they may exit. */
    void releaseParameterServers() {
        Session.Runner runner = session.runner();
        chiefDone.forEach(runner::addTarget);
        runner.run().close();
    }

    /** CRC-32 of every weight's float32 values in order, in hex: equal on every task that sees the same weights. */
    String weightsChecksum() {
        CRC32 crc = new CRC32();
        Session.Runner runner = session.runner();
        shared.weights().forEach(runner::fetch);
        try (Result result = runner.run()) {
            for (int i = 0; i < shared.weights().size(); i++) {
                FloatDataBuffer values = ((TFloat32) result.get(i)).asRawTensor().data().asFloats();
                for (long j = 0; j < values.size(); j++) {
                    int bits = Float.floatToIntBits(values.getFloat(j));
                    crc.update(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
                }
            }
        }
        return Long.toHexString(crc.getValue());
    }

    TrainingGraph.Metrics evaluate(MnistDataset dataset) {
        return TrainingGraph.evaluate(session, images, labels, loss, accuracy, dataset);
    }

    /** Writes the shared weights (read from the parameter servers) as a checkpoint on this task's disk. */
    void save(Path prefix) {
        session.save(prefix.toString());
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }

    private Operand<TInt64> synchronousUpdate(Ops tf, List<Operand<TFloat32>> gradients, Operand<TFloat32> rate,
            int replicas) {
        List<Operand<TFloat32>> averages = new ArrayList<>();
        for (int i = 0; i < gradients.size(); i++) {
            Ops ps = shared.onServerOf(i);
            String name = "gradient_accumulator_" + i;
            Operand<TString> accumulator = ps.withName(name).train.conditionalAccumulator(TFloat32.class,
                    shared.weights().get(i).shape(), ConditionalAccumulator.sharedName(name)).handle();
            pushGradients.add(ps.train.accumulatorApplyGradient(accumulator, localStep, gradients.get(i)));
            averages.add(ps.train.accumulatorTakeGradient(accumulator, ps.constant(replicas), TFloat32.class));
        }
        Operand<TInt64> step = shared.applyAdam(averages, rate);
        if (replicas == 1) {
            return step;
        }
        Ops ps0 = tf.withDevice(SharedVariables.device(TfConfig.PS, 0));
        List<Op> releases = new ArrayList<>();
        for (int worker = 1; worker < replicas; worker++) {
            releases.add(ps0.io.queueEnqueue(tokens(ps0, worker), List.of(step)));
        }
        return ps0.withControlDependencies(releases).identity(step);
    }

    /**
     * The queue of tokens for the gradient task {@code ordinal}: one per worker, so that each contributes exactly one
     * gradient to every step (a shared queue would let a fast worker take two tokens and a slow one none).
     */
    private static FifoQueue tokens(Ops ps0, int ordinal) {
        return ps0.io.fifoQueue(List.of(TInt64.class), FifoQueue.sharedName("sync_tokens_" + ordinal));
    }

    private Step run(Batch batch, boolean measure, Operand<TInt64> step, long atStep, List<Op> targets) {
        try (TFloat32 x = batch.imageTensor(); TInt32 y = batch.labelTensor(); TInt64 at = TInt64.scalarOf(atStep)) {
            Session.Runner runner = session.runner().feed(images, x).feed(labels, y).feed(localStep, at);
            targets.forEach(runner::addTarget);
            if (step != null) {
                runner.fetch(step);
            }
            if (measure) {
                runner.fetch(loss).fetch(accuracy);
            }
            try (Result result = runner.run()) {
                int next = 0;
                long global = step != null ? ((TInt64) result.get(next++)).getLong() : atStep;
                TrainingGraph.Metrics metrics = measure ? new TrainingGraph.Metrics(
                        ((TFloat32) result.get(next)).getFloat(), ((TFloat32) result.get(next + 1)).getFloat()) : null;
                return new Step(global, metrics);
            }
        }
    }

    /** Whether every shared variable is initialised, retrying until {@code deadline} while a task is away. */
    private boolean allInitialised(long deadline) {
        while (true) {
            try {
                Session.Runner runner = session.runner();
                shared.initialised().forEach(runner::fetch);
                try (Result result = runner.run()) {
                    for (int i = 0; i < result.size(); i++) {
                        if (!((TBool) result.get(i)).getBoolean()) {
                            return false;
                        }
                    }
                    return true;
                }
            } catch (TensorFlowException e) {
                // A task contacted before it listens answers UNAVAILABLE: the cluster is still starting.
                pause(deadline, "the parameter servers to listen (" + e.getMessage() + ")");
            }
        }
    }

    private void awaitCount(Variable<TInt64> counter, int count, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (read(counter) < count) {
            pause(deadline, what);
        }
    }

    private long read(Variable<TInt64> variable) {
        return fetchLong(variable);
    }

    private long fetchLong(Operand<TInt64> operand) {
        try (Result result = session.runner().fetch(operand).run()) {
            return ((TInt64) result.get(0)).getLong();
        }
    }

    private static void pause(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new TrainingException("timed out waiting for " + what);
        }
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while waiting for " + what, e);
        }
    }
}
