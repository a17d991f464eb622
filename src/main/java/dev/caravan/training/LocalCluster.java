package dev.caravan.training;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The replicas of one run's TF_CONFIG cluster on this machine, each a {@link TrainerProcess} with its own log and pid
 * file in the run folder and all carrying the run's marker, so that killing one tree kills the whole cluster.
 * <ul>
 * <li>The run fails as soon as any replica ends with an exit code other than 0: every other replica is killed and the
 *     message names the replica, its exit code and the last lines of its log.</li>
 * <li>Once the chief has ended with 0, the others get a bounded grace to finish by themselves (a parameter server
 *     exits once the chief has finished); whatever still runs after it is killed, and the chief's log says so.</li>
 * <li>The chief is started last, so a chief alive after a restart means every replica was started: such a cluster is
 *     adopted whole (a replica gone meanwhile counts as ended, its exit code unknown, and the chief's export decides).
 *     A cluster whose chief is gone is not patched up: what is left of it is killed and it is started afresh.</li>
 * </ul>
 */
final class LocalCluster {

    /** Exit codes above this are 128 + the signal that killed the process. */
    private static final int SIGNAL_EXIT = 128;

    private static final Duration POLL = Duration.ofMillis(200);

    private final RunFolder run;
    private final String runName;
    private final Map<Replica, TrainerProcess> processes;
    private final Map<Replica, TrainerLog> logs = new LinkedHashMap<>();
    /** The replicas seen ended, with their exit codes; empty where it is unknown (an adopted replica). */
    private final Map<Replica, OptionalInt> ended = new HashMap<>();

    private LocalCluster(RunFolder run, String runName, Map<Replica, TrainerProcess> processes) {
        this.run = run;
        this.runName = runName;
        this.processes = new LinkedHashMap<>();
        processes.keySet().stream().sorted(Replica.ORDER).forEach(replica -> {
            this.processes.put(replica, processes.get(replica));
            logs.put(replica, new TrainerLog(run.log(replica), processes.get(replica).logOffset()));
        });
    }

    /** Starts every replica, the chief last; one that cannot start kills those started before it. */
    static LocalCluster start(RunFolder run, String runName, List<Replica> replicas,
            Function<Replica, TrainerLaunch> launches) {
        Map<Replica, TrainerProcess> started = new LinkedHashMap<>();
        for (Replica replica : replicas.stream().sorted(Replica.ORDER.reversed()).toList()) {
            try {
                started.put(replica, TrainerProcess.start(run, replica, launches.apply(replica)));
            } catch (TrainingException e) {
                new LocalCluster(run, runName, started).killAllOrExplain("starting replica " + replica);
                throw new TrainingException("replica " + replica + " of run " + runName + ": " + e.getMessage(), e);
            }
        }
        return new LocalCluster(run, runName, started);
    }

    /**
     * The cluster of {@code runName} still running from an earlier start, if its chief is alive. Otherwise whatever
     * is left of it is killed, its pid files deleted, and the answer is empty.
     */
    static Optional<LocalCluster> adopt(RunFolder run, String runName, List<Replica> replicas) {
        Map<Replica, TrainerProcess> alive = new LinkedHashMap<>();
        replicas.forEach(replica -> TrainerProcess.adopt(run, runName, replica).ifPresent(p -> alive.put(replica, p)));
        if (alive.containsKey(Replica.CHIEF)) {
            LocalCluster cluster = new LocalCluster(run, runName, alive);
            replicas.stream().filter(replica -> !alive.containsKey(replica))
                    .forEach(replica -> cluster.ended.put(replica, OptionalInt.empty()));
            return Optional.of(cluster);
        }
        LocalCluster rest = new LocalCluster(run, runName, alive);
        // The marker finds what a dead replica left too; without /proc, only the replicas' own trees are found.
        List<Long> killed = rest.killAllOrExplain("killing what is left of the cluster");
        rest.killOrExplain(ProcessTree.ofRun(run.dir())).stream().filter(pid -> !killed.contains(pid)).forEach(killed::add);
        if (!killed.isEmpty()) {
            run.appendToLog(String.format("%n=== %s the chief of run %s is gone, its cluster with it: killed what was"
                    + " left of it (pids %s), to start it again%n", Instant.now(), runName, killed));
        }
        return Optional.empty();
    }

    /**
     * Reports the chief's progress lines until it ends, failing the run as soon as a replica ends with an exit code
     * other than 0 or the request's time is up; then gives the others {@code grace} and kills what still runs.
     *
     * @return the chief's last progress report
     */
    TrainingProgress follow(TrainingRequest request, TrainingListener listener, Duration grace) {
        AtomicReference<TrainingProgress> last = new AtomicReference<>(
                new TrainingProgress(0, request.trainSteps(), Double.NaN, Double.NaN));
        Instant deadline = chief().started().plus(request.timeout());
        try {
            while (!ended.containsKey(Replica.CHIEF)) {
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative() || left.isZero()) {
                    readLogs(last, listener);
                    List<Long> killed = killAll();
                    throw TrainerFailure.clusterTimedOut(request, List.copyOf(processes.keySet()), killed, chiefLog());
                }
                chief().awaitExit(left.compareTo(POLL) < 0 ? left : POLL);
                readLogs(last, listener);
                checkEnded();
            }
            Instant graceEnd = Instant.now().plus(grace);
            while (!running().isEmpty() && Instant.now().isBefore(graceEnd)) {
                processes.get(running().get(0)).awaitExit(POLL);
                readLogs(last, listener);
                checkEnded();
            }
            killLeftovers(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while following the cluster of run " + runName + " (chief pid "
                    + chief().pid() + "); it keeps running, and training this run again adopts it", e);
        }
        return last.get();
    }

    TrainerProcess chief() {
        return processes.get(Replica.CHIEF);
    }

    TrainerLog chiefLog() {
        return logs.get(Replica.CHIEF);
    }

    /** The chief's exit code, unknown for an adopted chief. */
    OptionalInt chiefExitCode() {
        return ended.getOrDefault(Replica.CHIEF, OptionalInt.empty());
    }

    private void readLogs(AtomicReference<TrainingProgress> last, TrainingListener listener) {
        // The chief reports the global step; the others' logs are read for their tails, should they fail.
        chiefLog().readNewLines(line -> ProgressLine.parse(line).ifPresent(progress -> {
            last.set(progress);
            listener.onProgress(progress);
        }));
        logs.forEach((replica, log) -> {
            if (!replica.isChief()) {
                log.readNewLines(line -> { });
            }
        });
    }

    /**
     * Records the replicas that ended since the last look; one that failed fails the run. Of several that failed
     * together, the cause is named: a replica that failed takes the chief down within milliseconds (a killed ps leaves
     * it without its variables), so a worker or ps comes before the chief, and one killed by a signal before one that
     * exited on its own.
     */
    private void checkEnded() throws InterruptedException {
        List<Map.Entry<Replica, Integer>> failed = new ArrayList<>();
        for (Map.Entry<Replica, TrainerProcess> entry : processes.entrySet()) {
            Replica replica = entry.getKey();
            if (ended.containsKey(replica) || entry.getValue().isAlive()) {
                continue;
            }
            OptionalInt code = entry.getValue().exitCode();
            ended.put(replica, code);
            if (code.isPresent() && code.getAsInt() != 0) {
                failed.add(Map.entry(replica, code.getAsInt()));
            }
        }
        if (failed.isEmpty()) {
            return;
        }
        failed.sort(Comparator.comparing((Map.Entry<Replica, Integer> f) -> f.getKey().isChief())
                .thenComparing(f -> f.getValue() <= SIGNAL_EXIT));
        Replica replica = failed.get(0).getKey();
        int code = failed.get(0).getValue();
        logs.get(replica).readNewLines(line -> { });
        List<Long> killed = killAll();
        run.appendToLog(String.format("%n=== %s replica %s of run %s ended with exit code %d: killed the other"
                + " replicas and what they started (pids %s)%n", Instant.now(), replica, runName, code, killed));
        throw TrainerFailure.replicaExited(runName, replica, code, logs.get(replica), killed);
    }

    private List<Replica> running() {
        return processes.entrySet().stream().filter(entry -> entry.getValue().isAlive()).map(Map.Entry::getKey).toList();
    }

    private void killLeftovers(Duration grace) throws InterruptedException {
        List<Replica> late = running();
        List<Long> killed = killAll();
        if (!killed.isEmpty()) {
            run.appendToLog(String.format("%n=== %s the chief of run %s finished; %s still ran %d s later: killed them"
                    + " and what was left of the run (pids %s)%n", Instant.now(), runName,
                    late.isEmpty() ? "no replica" : late, grace.toSeconds(), killed));
        }
    }

    /** Kills every replica and what they started, deletes their pid files; the pids killed. */
    private List<Long> killAll() throws InterruptedException {
        List<Long> killed = new ArrayList<>();
        for (TrainerProcess process : processes.values()) {
            process.killTree().stream().filter(pid -> !killed.contains(pid)).forEach(killed::add);
        }
        // Also the pid files of replicas that ended before this cluster was adopted.
        run.replicasWithPidFiles().forEach(replica -> TrainerProcess.deletePidFile(run, replica));
        return killed;
    }

    private List<Long> killAllOrExplain(String doing) {
        try {
            return killAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(doing, e);
        }
    }

    private List<Long> killOrExplain(ProcessTree tree) {
        try {
            return tree.kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted("killing what is left of the cluster", e);
        }
    }

    private TrainingException interrupted(String doing, InterruptedException e) {
        return new TrainingException("interrupted while " + doing + " of run " + runName + "; look for processes"
                + " with " + ProcessTree.MARKER_VARIABLE + "=" + ProcessTree.markerValue(run.dir()) + " in their"
                + " environment and stop them by hand", e);
    }
}
