package dev.caravan.training;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code caravan stop} on the local runtime: kills a run's trainer, or every replica of its cluster, with what they
 * started, found by their pid files in the run folder.
 */
final class RunStop {

    private RunStop() {
    }

    /**
     * @return whether a live trainer or replica was found and killed
     * @throws TrainingException when interrupted before all were killed, naming the pids to stop by hand
     */
    static boolean stop(RunFolder run, String runName) {
        Map<Replica, TrainerProcess> alive = new LinkedHashMap<>();
        run.replicasWithPidFiles().forEach(replica -> TrainerProcess.adopt(run, runName, replica)
                .ifPresent(process -> alive.put(replica, process)));
        if (alive.isEmpty()) {
            return false;
        }
        // In every replica's log, so that whichever is seen killed first reads as stopped, not as out of memory.
        alive.forEach((replica, process) -> run.appendToLog(replica, String.format("%n=== %s " + TrainerFailure.STOP_LINE
                + " %s (%spid %d): the run was asked to stop%n", Instant.now(), runName,
                replica.isChief() ? "" : "replica " + replica + ", ", process.pid())));
        for (TrainerProcess process : alive.values()) {
            try {
                process.killTree();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainingException("interrupted while stopping the trainer of run " + runName + " (pids "
                        + alive.values().stream().map(TrainerProcess::pid).toList() + "); stop them by hand", e);
            }
        }
        return true;
    }
}
