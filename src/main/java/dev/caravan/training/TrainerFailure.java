package dev.caravan.training;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Why a local trainer (or one replica of its cluster) failed, in words a person can act on: its exit code read as a
 * signal where it is one (137 is SIGKILL, which is how the kernel's OOM killer ends a process), a JVM's
 * {@code OutOfMemoryError} found in its log, or the training timeout; each followed by the last lines of its log.
 */
final class TrainerFailure {

    /** Begins the line {@link LocalTrainingBackend#cancel} writes into the log: a SIGKILL after it was a stop. */
    static final String STOP_LINE = "stopping the trainer of run";

    private static final Map<Integer, String> SIGNALS = Map.of(1, "SIGHUP", 2, "SIGINT", 3, "SIGQUIT", 6, "SIGABRT",
            9, "SIGKILL", 11, "SIGSEGV", 13, "SIGPIPE", 15, "SIGTERM");

    private TrainerFailure() {
    }

    /**
     * A trainer that ended with {@code code} other than 0: e.g. "failed with exit code 3", "was killed by signal 9
     * (SIGKILL; out of memory?), exit code 137", or "ran out of memory (java.lang.OutOfMemoryError: Java heap space)".
     */
    static TrainingException exited(String runName, int code, TrainerLog log, List<Long> leftovers) {
        return new TrainingException("the trainer of run " + runName + " " + reason(code, log.tail())
                + leftovers(leftovers) + "; " + lastLines(log));
    }

    /**
     * A replica of a cluster that ended with {@code code} other than 0, e.g. "replica worker-1 of run r failed with
     * exit code 1", with the pids of the run's other processes killed because of it and the last lines of its log.
     */
    static TrainingException replicaExited(String runName, Replica replica, int code, TrainerLog log,
            List<Long> killed) {
        return new TrainingException("replica " + replica + " of run " + runName + " " + reason(code, log.tail())
                + (killed.isEmpty() ? "" : "; Caravan killed the run's other replicas and processes (pids " + killed + ")")
                + "; " + lastLines(log));
    }

    /** A trainer stopped because the request's timeout passed, e.g. "timed out after 5 s". */
    static TrainingException timedOut(TrainingRequest request, long pid, TrainerLog log) {
        return timedOut(request, "the trainer of run " + request.runName(),
                "it and everything it started were killed (pid " + pid + ")", log);
    }

    /** A cluster stopped because the request's timeout passed; {@code log} is the chief's. */
    static TrainingException clusterTimedOut(TrainingRequest request, List<Replica> replicas, List<Long> killed,
            TrainerLog log) {
        return timedOut(request, "the cluster " + replicas + " of run " + request.runName(),
                "every replica and everything they started were killed (pids " + killed + ")", log);
    }

    private static TrainingException timedOut(TrainingRequest request, String subject, String killed, TrainerLog log) {
        Duration timeout = request.timeout();
        return new TrainingException(subject + " timed out after "
                + (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms")
                + ": it did not finish within the training timeout, so " + killed
                + "; raise the training timeout (trainer.timeout)"
                + (request.trainSteps() > 0 ? " or lower the training steps (now " + request.trainSteps() + ")" : "")
                + "; " + lastLines(log));
    }

    /** "last lines of <log>:" and the lines, or that the trainer wrote nothing. */
    static String lastLines(TrainerLog log) {
        List<String> tail = log.tail();
        return tail.isEmpty() ? "it wrote nothing to " + log.file()
                : "last lines of " + log.file() + ":\n  " + String.join("\n  ", tail);
    }

    private static String reason(int code, List<String> tail) {
        Optional<String> outOfMemory = tail.stream().filter(line -> line.contains("java.lang.OutOfMemoryError"))
                .map(String::strip).findFirst();
        if (outOfMemory.isPresent()) {
            return "ran out of memory (" + outOfMemory.get() + "), exit code " + code + "; give it more memory (a"
                    + " built-in trainer's heap is the -Xmx of caravan.training.jvm-options) or less work (a smaller"
                    + " batchSize)";
        }
        // A shell reports a child killed by signal N as 128 + N, and so does Java for a process it started.
        if (code > 128 && code <= 128 + 64) {
            return killedBy(code - 128, tail) + ", exit code " + code;
        }
        return "failed with exit code " + code;
    }

    private static String killedBy(int signal, List<String> tail) {
        String name = SIGNALS.getOrDefault(signal, "SIG" + signal);
        if (signal == 9 && tail.stream().anyMatch(line -> line.startsWith("=== ") && line.contains(STOP_LINE))) {
            return "was killed by signal 9 (SIGKILL) because the run was asked to stop";
        }
        return switch (signal) {
            case 9 -> "was killed by signal 9 (SIGKILL; out of memory? the kernel's OOM killer sends it: look for"
                    + " 'Killed process' in dmesg, then give the trainer more memory or less work)";
            case 11 -> "was killed by signal 11 (SIGSEGV; a crash in native code)";
            case 15 -> "was killed by signal 15 (SIGTERM; something outside Caravan stopped it)";
            default -> "was killed by signal " + signal + " (" + name + ")";
        };
    }

    private static String leftovers(List<Long> pids) {
        return pids.isEmpty() ? "" : "; it left " + pids.size() + " process" + (pids.size() == 1 ? "" : "es")
                + " running, which Caravan killed (pids " + pids + ")";
    }
}
