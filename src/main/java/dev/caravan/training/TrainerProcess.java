package dev.caravan.training;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A trainer child process, started here or adopted after a restart from the pid file of its run folder. The child
 * writes straight into the run's log file, not through a pipe, so it outlives the orchestrator that started it.
 */
final class TrainerProcess {

    /** Put on the trainer's command line, so a pid found in a pid file is known to be this run's trainer. */
    static final String RUN_PROPERTY = "caravan.training.run";

    private static final Duration KILL_GRACE = Duration.ofSeconds(10);

    private final ProcessHandle handle;
    private final Optional<Process> child;
    private final long logOffset;
    private final Instant started;

    private TrainerProcess(ProcessHandle handle, Optional<Process> child, long logOffset, Instant started) {
        this.handle = handle;
        this.child = child;
        this.logOffset = logOffset;
        this.started = started;
    }

    /** Starts {@code command} with {@code environment} added, its output appended to the run's log. */
    static TrainerProcess start(RunFolder run, List<String> command, Map<String, String> environment) {
        long offset = run.logSize();
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(run.log().toFile()));
        builder.environment().putAll(environment);
        Instant started = Instant.now();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new TrainingException("cannot start the trainer (" + command.get(0) + "): " + e.getMessage()
                    + "; check the java executable given to the local training backend", e);
        }
        TrainerProcess trainer = new TrainerProcess(process.toHandle(), Optional.of(process), offset, started);
        try {
            trainer.writePidFile(run.pidFile());
        } catch (IOException e) {
            // A trainer nobody could adopt after a restart would run twice: better not to run it at all.
            process.destroyForcibly();
            throw new TrainingException("cannot write " + run.pidFile() + " (" + e.getMessage()
                    + "), so the trainer was stopped; check that the run folder is writable", e);
        }
        return trainer;
    }

    /** The trainer of {@code runName} still running from an earlier start, if its pid file names a live one. */
    static Optional<TrainerProcess> adopt(RunFolder run, String runName, String trainerClass) {
        Path pidFile = run.pidFile();
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        Properties properties = readPidFile(pidFile);
        long pid = Long.parseLong(properties.getProperty("pid"));
        long offset = Long.parseLong(properties.getProperty("logOffset"));
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(h -> runs(h, runName, trainerClass))
                // The kernel's start time is only precise to a second, close enough for the deadline of a training.
                .map(h -> new TrainerProcess(h, Optional.empty(), offset, h.info().startInstant().orElse(Instant.now())));
    }

    /** Whether {@code process} is the trainer of {@code runName}, not another process that got a recycled pid. */
    private static boolean runs(ProcessHandle process, String runName, String trainerClass) {
        List<String> arguments = process.info().arguments().map(List::of).orElse(List.of());
        return arguments.contains(trainerClass) && arguments.contains("-D" + RUN_PROPERTY + "=" + runName);
    }

    /** Waits up to {@code timeout} for the process to end; true if it has. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        try {
            handle.onExit().get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !handle.isAlive();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for trainer pid " + handle.pid() + " failed", e.getCause());
        }
    }

    /**
     * The exit code, known only for a process started by this JVM (not for an adopted one). The process handle
     * can see the exit a moment before the {@link Process} has reaped it, so this waits briefly for that.
     */
    OptionalInt exitCode() {
        return child.filter(TrainerProcess::reaped).map(p -> OptionalInt.of(p.exitValue())).orElse(OptionalInt.empty());
    }

    private static boolean reaped(Process process) {
        try {
            return process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** Kills the trainer and every process it started, and waits for them to be gone. */
    void killTree() throws InterruptedException {
        List<ProcessHandle> descendants = handle.descendants().toList();
        handle.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(KILL_GRACE)) {
            throw new TrainingException("trainer pid " + handle.pid() + " did not die within " + KILL_GRACE.toSeconds()
                    + " s of being killed; stop it by hand");
        }
    }

    void deletePidFile(RunFolder run) {
        try {
            Files.deleteIfExists(run.pidFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + run.pidFile() + ": " + e.getMessage(), e);
        }
    }

    long pid() {
        return handle.pid();
    }

    boolean isAdopted() {
        return child.isEmpty();
    }

    long logOffset() {
        return logOffset;
    }

    Instant started() {
        return started;
    }

    private void writePidFile(Path pidFile) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("pid", Long.toString(handle.pid()));
        properties.setProperty("logOffset", Long.toString(logOffset));
        try (Writer writer = Files.newBufferedWriter(pidFile)) {
            properties.store(writer, "trainer of this run; its output starts at logOffset in trainer.log");
        }
    }

    private static Properties readPidFile(Path pidFile) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(pidFile)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pidFile + ": " + e.getMessage(), e);
        }
        if (!properties.getProperty("pid", "").matches("\\d+") || !properties.getProperty("logOffset", "").matches("\\d+")) {
            throw new TrainingException(pidFile + " is damaged (it needs pid and logOffset); delete it if no trainer"
                    + " of this run is running, then retry");
        }
        return properties;
    }
}
