package dev.caravan.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local folder of one training run: each replica's whole output and pid file. The chief, which is also the single
 * process of a run without a cluster, has {@code trainer.log} and {@code trainer.pid}; any other replica
 * {@code <replica>.log} and {@code <replica>.pid}, e.g. {@code worker-0.log}.
 */
record RunFolder(Path dir) {

    private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String CHIEF_FILES = "trainer";

    static RunFolder create(Path runsDir, String runName) {
        if (runName == null || !RUN_NAME.matcher(runName).matches()) {
            throw new TrainingException("run name '" + runName + "' cannot name a folder; use letters, digits,"
                    + " '.', '_' and '-' only (at most 128, starting with a letter or digit)");
        }
        Path dir = runsDir.resolve(runName);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new TrainingException("cannot create the run folder: " + DiskFault.describe(dir, e), e);
        }
        return new RunFolder(dir);
    }

    /** The chief's (or the single trainer's) log. */
    Path log() {
        return log(Replica.CHIEF);
    }

    Path log(Replica replica) {
        return dir.resolve(fileStem(replica) + ".log");
    }

    Path pidFile() {
        return pidFile(Replica.CHIEF);
    }

    Path pidFile(Replica replica) {
        return dir.resolve(fileStem(replica) + ".pid");
    }

    /** The replicas that have a log here, in {@link Replica#ORDER}. */
    List<Replica> replicasWithLogs() {
        return replicasWith(".log");
    }

    /** The replicas that have a pid file here, in {@link Replica#ORDER}. */
    List<Replica> replicasWithPidFiles() {
        return replicasWith(".pid");
    }

    long logSize() {
        return logSize(Replica.CHIEF);
    }

    long logSize(Replica replica) {
        Path log = log(replica);
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log + ": " + e.getMessage(), e);
        }
    }

    /** @throws TrainingException naming the log and, for a full or read-only disk, what to do */
    void appendToLog(String text) {
        appendToLog(Replica.CHIEF, text);
    }

    /** @throws TrainingException naming the log and, for a full or read-only disk, what to do */
    void appendToLog(Replica replica, String text) {
        Path log = log(replica);
        try {
            Files.writeString(log, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new TrainingException("cannot write the trainer's log: " + DiskFault.describe(log, e), e);
        }
    }

    private static String fileStem(Replica replica) {
        return replica.isChief() ? CHIEF_FILES : replica.name();
    }

    private List<Replica> replicasWith(String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(suffix))
                    .map(name -> name.substring(0, name.length() - suffix.length()))
                    .map(stem -> stem.equals(CHIEF_FILES) ? Optional.of(Replica.CHIEF) : Replica.parse(stem)
                            .filter(replica -> !replica.isChief()))
                    .flatMap(Optional::stream)
                    .sorted(Replica.ORDER)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
