package dev.caravan.training;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;

/**
 * A gradient task of parameter-server training, the chief or a worker: trains on its own stream of batches (seeded by
 * its place in the cluster, so no two tasks repeat each other's) until the global step reaches
 * {@code TF_TRAIN_STEPS}, writing its TensorBoard events to {@code TF_MODEL_DIR/<replica>/}.
 * How the job ends, so that no replica is stopped while it still has something to write:
 * <ol>
 * <li>every task, once the global step is reached, counts itself stopped and waits for the others: no update lands
 *     after that, and each prints the global step and a checksum of the weights it sees;</li>
 * <li>a worker uploads its events, counts itself finished and exits;</li>
 * <li>the chief waits for every worker to finish, evaluates on the test set, saves the checkpoint, lets the parameter
 *     servers go, and exports the SavedModel once.</li>
 * </ol>
 */
final class ReplicaTrainer {

    /** How long a task waits for the cluster to come up, and for the others at the end. */
    private static final Duration PATIENCE = Duration.ofMinutes(5);

    private final TrainerContext context;
    private final ClusterServer server;
    private final TfConfig config;

    ReplicaTrainer(TrainerContext context, ClusterServer server) {
        this.context = context;
        this.server = server;
        this.config = server.config();
    }

    /** Trains; the chief's checkpoint, or empty for a worker. */
    Optional<Path> train(Path modelDir) {
        TrainerSettings settings = context.settings();
        boolean chief = config.isChief();
        String replica = config.replicaName();
        MnistDataset trainSet = context.load(MnistSplit.TRAIN);
        MnistDataset testSet = chief ? context.load(MnistSplit.TEST) : null;
        try (ReplicatedTrainingGraph graph = new ReplicatedTrainingGraph(settings, MnistTrainer.SEED,
                server); EventWriter events = new EventWriter(modelDir.resolve(replica))) {
            graph.initialise(chief, PATIENCE);
            context.log("%s joined the cluster %s (%s)", replica, config.cluster(),
                    settings.syncReplicas() ? "synchronous" : "asynchronous");
            long started = System.nanoTime();
            int ran = fit(graph, events, modelDir, new BatchSampler(trainSet, settings.batchSize(),
                    MnistTrainer.SEED + config.gradientTaskOrdinal()));
            context.log("%s ran %d steps in %.1f s", replica, ran, (System.nanoTime() - started) / 1e9);
            graph.stopAndAwaitOthers(config.gradientTasks(), PATIENCE);
            // Asynchronous steps may end a little past trainSteps: the tasks stop only once they see it reached.
            long steps = graph.globalStep();
            context.log("%s global step %d, weights checksum %s", replica, steps, graph.weightsChecksum());
            if (!chief) {
                events.flush();
                context.uploadModelDir(modelDir);
                graph.finished();
                return Optional.empty();
            }
            graph.awaitWorkers(config.gradientTasks() - 1, PATIENCE);
            TrainingGraph.Metrics test = graph.evaluate(testSet);
            events.scalar("test_accuracy", steps, test.accuracy());
            events.scalar("test_loss", steps, test.loss());
            context.log("test accuracy %.4f, test loss %.4f on %d images", test.accuracy(), test.loss(),
                    testSet.count());
            Path checkpoint = modelDir.resolve("model.ckpt-" + steps);
            graph.save(checkpoint);
            graph.releaseParameterServers();
            events.flush();
            context.keepCheckpoint(modelDir, checkpoint, test);
            return Optional.of(checkpoint);
        }
    }

    /** Steps until the global step is reached; reports on each crossing of a report mark. The steps this task ran. */
    private int fit(ReplicatedTrainingGraph graph, EventWriter events, Path modelDir, BatchSampler batches) {
        TrainerSettings settings = context.settings();
        boolean chief = config.isChief();
        long global = graph.globalStep();
        int ran = 0;
        while (global < settings.trainSteps()) {
            ReplicatedTrainingGraph.Step step = settings.syncReplicas()
                    ? graph.trainSync(batches.next(), true, global, chief)
                    : graph.trainAsync(batches.next(), true);
            ran++;
            if (step.globalStep() / settings.reportEvery() > global / settings.reportEvery()
                    || step.globalStep() >= settings.trainSteps()) {
                context.report(step.globalStep(), step.metrics(), events, modelDir);
            }
            global = step.globalStep();
        }
        return ran;
    }
}
