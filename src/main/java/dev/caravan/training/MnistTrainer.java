package dev.caravan.training;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import software.amazon.awssdk.core.exception.SdkException;

import dev.caravan.data.DataValidationException;
import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Clients;
import dev.caravan.storage.S3OperationException;

/**
 * The built-in trainers, which a TFJob container (or a local child JVM) runs: reads MNIST from {@code TF_DATA_DIR},
 * trains the model {@code CARAVAN_TRAINER} names ({@code mnist-cnn}, the default, or {@code mnist-mlp}), keeps
 * TensorBoard events, a checkpoint and {@code metrics.json} in {@code TF_MODEL_DIR} and exports the SavedModel to
 * {@code TF_EXPORT_DIR}, {@code saved_model.pb} last. See {@link TrainerEnvironment} for the contract. With a
 * {@code TF_CONFIG} cluster (training-operator v1 TF_CONFIG) it is one replica of parameter-server training: a
 * {@code ps} serves the shared variables ({@link ParameterServer}), the chief and the workers train on them
 * ({@link ReplicaTrainer}), and only the chief writes the checkpoint and the export.
 * Exit status: 0 done, 1 failed, 2 invalid environment; the reason goes to stderr in one line. S3 requests are tried
 * {@code AWS_MAX_ATTEMPTS} times; the finished training's uploads keep trying for {@link #UPLOAD_PATIENCE}.
 */
public final class MnistTrainer {

    static final int EXIT_FAILED = 1;
    static final int EXIT_INVALID_ENVIRONMENT = 2;
    static final long SEED = 20_180_712L;
    private static final Duration UPLOAD_PATIENCE = Duration.ofMinutes(2);
    private static final String LOGBACK_CONFIGURATION = "logback.configurationFile";

    private final TrainerContext context;

    /**
     * @param store   reads the data and uploads events as training goes, failing after the settings' attempts
     * @param uploads uploads the checkpoint and the export, patiently
     */
    MnistTrainer(TrainerSettings settings, ObjectStore store, ObjectStore uploads, PrintStream out) {
        this.context = new TrainerContext(settings, store, uploads, out);
    }

    public static void main(String[] args) {
        // Without a configuration, logback logs every library at DEBUG: the trainer log would drown in S3 traffic.
        if (System.getProperty(LOGBACK_CONFIGURATION) == null) {
            System.setProperty(LOGBACK_CONFIGURATION, "dev/caravan/training/trainer-logback.xml");
        }
        // Exit explicitly: TensorFlow and the S3 client may keep threads that would hold the JVM up.
        System.exit(run(System.getenv(), System.out, System.err));
    }

    static int run(Map<String, String> env, PrintStream out, PrintStream err) {
        TrainerSettings settings;
        try {
            settings = TrainerSettings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            err.println("trainer: invalid environment: " + e.getMessage());
            return EXIT_INVALID_ENVIRONMENT;
        }
        // A finished training is worth waiting for: its uploads outlast S3's server restarting, say.
        try (ObjectStore store = ObjectStore.connect(settings.s3());
                ObjectStore uploads = new ObjectStore(S3Clients.patient(settings.s3(), UPLOAD_PATIENCE))) {
            new MnistTrainer(settings, store, uploads, out).train();
            return 0;
        } catch (DataValidationException e) {
            err.println("trainer: the training data cannot be used: " + e.getMessage());
        } catch (S3OperationException e) {
            err.println("trainer: " + e.getMessage() + " (S3_ENDPOINT and the AWS_* variables say where and how)");
        } catch (SdkException e) {
            err.println("trainer: S3 at " + settings.s3().endpoint() + " failed: " + e.getMessage()
                    + "; check that it is reachable and that S3_ENDPOINT and the AWS_* credentials are right");
        } catch (RuntimeException e) {
            err.println("trainer: training failed: " + e);
            e.printStackTrace(err);
        }
        return EXIT_FAILED;
    }

    void train() {
        TrainerSettings settings = context.settings();
        Optional<TfConfig> cluster = settings.cluster();
        // The server first: the other replicas can reach this one while it loads its data.
        Optional<ClusterServer> server = cluster.map(ClusterServer::start);
        if (cluster.isPresent() && cluster.get().isParameterServer()) {
            ParameterServer.serve(server.get(), context);
            return;
        }
        try (ScratchDir work = ScratchDir.create("caravan-trainer-")) {
            Path modelDir = work.resolve("model");
            Optional<Path> checkpoint = server.isPresent()
                    ? new ReplicaTrainer(context, server.get()).train(modelDir)
                    : Optional.of(fitAndCheckpoint(modelDir));
            checkpoint.ifPresent(saved -> context.export(saved, work.resolve("export")));
        }
    }

    private Path fitAndCheckpoint(Path modelDir) {
        TrainerSettings settings = context.settings();
        // The data comes from S3 while TensorFlow loads and builds the graph: neither waits for the other.
        CompletableFuture<MnistDataset> trainData = CompletableFuture.supplyAsync(() -> context.load(MnistSplit.TRAIN));
        CompletableFuture<MnistDataset> testData = trainData.thenApply(loaded -> context.load(MnistSplit.TEST));
        int steps = settings.trainSteps();
        Path checkpoint = modelDir.resolve("model.ckpt-" + steps);
        TrainingGraph.Metrics test;
        try (TrainingGraph graph = new TrainingGraph(settings, SEED);
                EventWriter events = new EventWriter(modelDir)) {
            MnistDataset trainSet = loaded(trainData);
            MnistDataset testSet = loaded(testData);
            BatchSampler batches = new BatchSampler(trainSet, settings.batchSize(), SEED);
            long started = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                boolean report = step % settings.reportEvery() == 0 || step == steps;
                TrainingGraph.Metrics metrics = graph.train(batches.next(), report);
                if (report) {
                    context.report(step, metrics, events, modelDir);
                }
            }
            context.log("trained %s for %d steps of %d images in %.1f s", settings.model().name(), steps,
                    settings.batchSize(), (System.nanoTime() - started) / 1e9);
            test = graph.evaluate(testSet);
            events.scalar("test_accuracy", steps, test.accuracy());
            events.scalar("test_loss", steps, test.loss());
            context.log("test accuracy %.4f, test loss %.4f on %d images", test.accuracy(), test.loss(),
                    testSet.count());
            graph.save(checkpoint);
        }
        context.keepCheckpoint(modelDir, checkpoint, test);
        return checkpoint;
    }

    /** The loaded data set, or the loader's own exception: a data or S3 error says what it says when loaded inline. */
    private static MnistDataset loaded(CompletableFuture<MnistDataset> data) {
        try {
            return data.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}
