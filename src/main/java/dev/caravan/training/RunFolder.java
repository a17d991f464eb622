package dev.caravan.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/** The local folder of one training run: the trainer's whole output ({@code trainer.log}) and its pid file. */
record RunFolder(Path dir) {

    private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

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

    Path log() {
        return dir.resolve("trainer.log");
    }

    Path pidFile() {
        return dir.resolve("trainer.pid");
    }

    long logSize() {
        try {
            return Files.exists(log()) ? Files.size(log()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log() + ": " + e.getMessage(), e);
        }
    }

    /** @throws TrainingException naming the log and, for a full or read-only disk, what to do */
    void appendToLog(String text) {
        try {
            Files.writeString(log(), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new TrainingException("cannot write the trainer's log: " + DiskFault.describe(log(), e), e);
        }
    }
}
