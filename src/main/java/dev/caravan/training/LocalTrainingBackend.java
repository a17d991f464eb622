package dev.caravan.training;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import software.amazon.awssdk.core.exception.SdkException;

import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3OperationException;
import dev.caravan.storage.S3Settings;

/**
 * Trains on this machine: runs the trainer as a child process with the {@link TrainerEnvironment} contract (a built-in
 * one as a JVM running {@link MnistTrainer}, a pipeline's own {@code trainer.command} in the run folder), keeps its
 * whole output in {@code <runsDir>/<runName>/trainer.log}, reports its progress lines, and kills it with everything it
 * started when the request's timeout passes. A run whose trainer is still alive after a restart is followed, not
 * started twice; a run whose export is already complete is not trained again.
 * <p>
 * A run whose parameters ask for {@code workers} or {@code ps} ({@link ClusterSpec}) runs as a TF_CONFIG cluster
 * instead, a {@link LocalCluster}: the chief, the workers and the parameter servers as child processes on loopback
 * ports, each with the contract plus its own {@code TF_CONFIG}. The chief's output is {@code trainer.log}, and its
 * progress lines (the global step) are the run's; each other replica writes {@code <replica>.log}, e.g.
 * {@code worker-0.log}. Any replica failing fails the run, naming it, and kills the others; a stop, the timeout and a
 * failure leave no replica running. After a restart, a cluster whose chief is alive is followed whole, one whose chief
 * is gone is killed and started again: each replica has its own pid file ({@code trainer.pid} for the chief,
 * {@code <replica>.pid} for the others), and the chief is started last, so a live chief means a complete cluster.
 */
public final class LocalTrainingBackend implements TrainingBackend {

    private static final Duration POLL = Duration.ofMillis(200);
    /** How long the other replicas may run on after the chief has finished: a parameter server exits by itself. */
    static final Duration REPLICA_GRACE = Duration.ofSeconds(30);

    private final Path runsDir;
    private final S3Settings s3;
    private final TrainerLaunches launches;
    private final Duration replicaGrace;

    /** A backend that runs the trainer with this JVM's {@code java} and class path. */
    public LocalTrainingBackend(Path runsDir, S3Settings s3) {
        this(runsDir, s3, currentJava(), System.getProperty("java.class.path"), List.of(), Map.of());
    }

    /**
     * @param runsDir        folder of the per-run folders
     * @param s3             the S3 service the trainer reads and writes, handed over as {@code S3_ENDPOINT} etc.
     * @param javaExecutable the {@code java} to run a built-in trainer with
     * @param classPath      a built-in trainer's class path, e.g. {@code target/caravan.jar:target/lib/*}
     * @param jvmOptions     options of a built-in trainer's JVM, before the class name, e.g. {@code -Xmx1g}
     * @param environment    variables added to every trainer's environment, e.g. {@code TF_CPP_MIN_LOG_LEVEL=2}
     */
    public LocalTrainingBackend(Path runsDir, S3Settings s3, String javaExecutable, String classPath,
            List<String> jvmOptions, Map<String, String> environment) {
        this(runsDir, s3, new TrainerLaunches(javaExecutable, classPath, jvmOptions, environment, s3), REPLICA_GRACE);
    }

    /** @param replicaGrace how long a cluster's other replicas may run on after its chief has finished */
    LocalTrainingBackend(Path runsDir, S3Settings s3, TrainerLaunches launches, Duration replicaGrace) {
        this.runsDir = runsDir;
        this.s3 = s3;
        this.launches = launches;
        this.replicaGrace = replicaGrace;
    }

    /** The {@code java} of the running JVM. */
    public static String currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public TrainingResult train(TrainingRequest request, TrainingListener listener) {
        if (request.timeout() == null || request.timeout().isNegative() || request.timeout().isZero()) {
            throw new TrainingException("the training of run " + request.runName() + " has no positive timeout ("
                    + request.timeout() + "); set the training timeout, e.g. 10 minutes");
        }
        RunFolder run = RunFolder.create(runsDir, request.runName());
        try (ObjectStore store = ObjectStore.connect(s3)) {
            return train(request, listener, run, store);
        } catch (S3OperationException e) {
            // its message names the endpoint, the operation and what to do
            throw new TrainingException("cannot check the export of run " + request.runName() + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new TrainingException("cannot check the export of run " + request.runName() + " in S3 at "
                    + s3.endpoint() + ": " + e.getMessage() + "; check that S3 is reachable", e);
        } catch (UncheckedIOException e) {
            throw new TrainingException(e.getMessage() + "; check the run folder " + run.dir(), e);
        }
    }

    /**
     * Copies {@code <runsDir>/<runName>/trainer.log} (the chief's, when {@code replica} is null or {@code chief}) or
     * {@code <replica>.log}, following it while {@code follow} says so.
     */
    @Override
    public void copyLog(String runName, String replica, OutputStream out, BooleanSupplier follow) throws IOException {
        RunFolder run = RunFolder.create(runsDir, runName);
        Replica which = replica == null || replica.isBlank() ? Replica.CHIEF : Replica.parse(replica)
                .filter(r -> r.isChief() || Files.exists(run.log(r)))
                .orElseThrow(() -> new TrainingException("run " + runName + " has no log of replica '" + replica
                        + "'; " + (run.replicasWithLogs().isEmpty() ? "it has no trainer log yet"
                                : "its replicas with logs are " + run.replicasWithLogs())));
        LogTail.copy(run.log(which), out, follow);
    }

    /**
     * Kills the run's trainer, or every replica of its cluster, and what they started; the {@code train} call that
     * follows it then fails.
     */
    @Override
    public boolean cancel(String runName) {
        return RunStop.stop(RunFolder.create(runsDir, runName), runName);
    }

    private TrainingResult train(TrainingRequest request, TrainingListener listener, RunFolder run,
            ObjectStore store) {
        ClusterSpec cluster = ClusterSpec.of(request);
        if (!cluster.isSingleProcess()) {
            return trainCluster(request, listener, run, store, cluster);
        }
        S3Location savedModel = request.exportDir().resolve("saved_model.pb");
        TrainerProcess trainer = TrainerProcess.adopt(run, request.runName()).orElse(null);
        if (trainer == null && store.exists(savedModel)) {
            return alreadyExported(request, run);
        }
        if (trainer == null) {
            trainer = start(request, run);
        }
        TrainerLog log = new TrainerLog(run.log(), trainer.logOffset());
        TrainingProgress last = follow(trainer, log, request, listener);
        trainer.deletePidFile();
        OptionalInt code = trainer.exitCode();
        List<Long> leftovers = killLeftovers(trainer, run, request.runName());
        checkOutcome(trainer, code, log, request, store.exists(savedModel), leftovers);
        return new TrainingResult(request.exportDir(), last, Duration.between(trainer.started(), Instant.now()));
    }

    /** Kills what the ended trainer left running, and says so in the log. */
    private static List<Long> killLeftovers(TrainerProcess trainer, RunFolder run, String runName) {
        try {
            List<Long> pids = trainer.killLeftovers();
            if (!pids.isEmpty()) {
                run.appendToLog(String.format("%n=== %s the trainer of run %s ended, leaving %d process(es) running:"
                        + " killed pids %s%n", Instant.now(), runName, pids.size(), pids));
            }
            return pids;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while killing what the trainer of run " + runName
                    + " left running; look for processes with " + ProcessTree.MARKER_VARIABLE + "=" + run.dir()
                    + " in their environment and stop them by hand", e);
        }
    }

    private TrainingResult trainCluster(TrainingRequest request, TrainingListener listener, RunFolder run,
            ObjectStore store, ClusterSpec spec) {
        S3Location savedModel = request.exportDir().resolve("saved_model.pb");
        LocalCluster cluster = LocalCluster.adopt(run, request.runName(), spec.replicas()).orElse(null);
        if (cluster == null && store.exists(savedModel)) {
            return alreadyExported(request, run);
        }
        if (cluster == null) {
            Map<Replica, String> configs = spec.tfConfigs();
            cluster = LocalCluster.start(run, request.runName(), spec.replicas(),
                    replica -> launches.launch(request, run, replica, Map.of(TfConfig.VARIABLE, configs.get(replica))));
        }
        TrainingProgress last = cluster.follow(request, listener, replicaGrace);
        checkOutcome(cluster.chief(), cluster.chiefExitCode(), cluster.chiefLog(), request, store.exists(savedModel),
                List.of());
        return new TrainingResult(request.exportDir(), last, Duration.between(cluster.chief().started(), Instant.now()));
    }

    private TrainerProcess start(TrainingRequest request, RunFolder run) {
        return TrainerProcess.start(run, launches.launch(request, run, Replica.CHIEF, Map.of()));
    }

    /** Reports progress lines until the trainer ends; kills it and fails when the request's time is up. */
    private TrainingProgress follow(TrainerProcess trainer, TrainerLog log, TrainingRequest request,
            TrainingListener listener) {
        AtomicReference<TrainingProgress> last = new AtomicReference<>(unknownProgress(request));
        Instant deadline = trainer.started().plus(request.timeout());
        try {
            boolean exited = false;
            while (!exited) {
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative() || left.isZero()) {
                    trainer.killTree();
                    trainer.deletePidFile();
                    log.readNewLines(line -> report(line, last, listener));
                    throw TrainerFailure.timedOut(request, trainer.pid(), log);
                }
                exited = trainer.awaitExit(left.compareTo(POLL) < 0 ? left : POLL);
                log.readNewLines(line -> report(line, last, listener));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while following the trainer of run " + request.runName()
                    + " (pid " + trainer.pid() + "); it keeps running, and training this run again adopts it", e);
        }
        return last.get();
    }

    private static void report(String line, AtomicReference<TrainingProgress> last, TrainingListener listener) {
        ProgressLine.parse(line).ifPresent(progress -> {
            last.set(progress);
            listener.onProgress(progress);
        });
    }

    private static void checkOutcome(TrainerProcess trainer, OptionalInt exitCode, TrainerLog log,
            TrainingRequest request, boolean exported, List<Long> leftovers) {
        int code = exitCode.orElse(exported ? 0 : -1);
        if (code != 0 && trainer.isAdopted()) {
            throw new TrainingException("the trainer of run " + request.runName() + " (adopted after a restart, pid "
                    + trainer.pid() + ") ended without an export; " + TrainerFailure.lastLines(log));
        }
        if (code != 0) {
            throw TrainerFailure.exited(request.runName(), code, log, leftovers);
        }
        if (!exported) {
            throw new TrainingException("the trainer of run " + request.runName() + " finished, but "
                    + request.exportDir().resolve("saved_model.pb") + " is missing; a trainer must upload its SavedModel"
                    + " to $TF_EXPORT_DIR, saved_model.pb last, before it exits 0: check that it does and that nothing"
                    + " else cleans the export folder up; " + TrainerFailure.lastLines(log));
        }
    }

    private static TrainingResult alreadyExported(TrainingRequest request, RunFolder run) {
        AtomicReference<TrainingProgress> last = new AtomicReference<>(unknownProgress(request));
        new TrainerLog(run.log(), 0).readNewLines(line -> ProgressLine.parse(line).ifPresent(last::set));
        return new TrainingResult(request.exportDir(), last.get(), Duration.ZERO);
    }

    /** Progress before any report: no step done, loss and accuracy not known (NaN). */
    private static TrainingProgress unknownProgress(TrainingRequest request) {
        return new TrainingProgress(0, request.trainSteps(), Double.NaN, Double.NaN);
    }
}
