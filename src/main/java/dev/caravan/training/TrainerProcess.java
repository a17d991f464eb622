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
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A trainer child process (the run's single trainer, or one replica of its cluster), started here or adopted after a
 * restart from its pid file in the run folder, which records its pid and start time. The child writes straight into the run's log file, not through a pipe, so it outlives the
 * orchestrator that started it.
 */
final class TrainerProcess {

    /** Two readings of one process's start time differ by the kernel's rounding; a recycled pid starts later. */
    private static final Duration SAME_START = Duration.ofSeconds(1);

    private final ProcessHandle handle;
    private final Optional<Process> child;
    private final long logOffset;
    private final Instant started;
    private final ProcessTree tree;
    private final Path pidFile;

    private TrainerProcess(ProcessHandle handle, Optional<Process> child, long logOffset, Instant started,
            RunFolder run, Replica replica) {
        this.handle = handle;
        this.child = child;
        this.logOffset = logOffset;
        this.started = started;
        this.tree = new ProcessTree(handle, run.dir());
        this.pidFile = run.pidFile(replica);
    }

    /** Starts the trainer with its environment added to this one's, its output appended to the run's log. */
    static TrainerProcess start(RunFolder run, TrainerLaunch launch) {
        return start(run, Replica.CHIEF, launch);
    }

    /**
     * Starts one replica of a run with its environment added to this one's, its output appended to the replica's log,
     * its pid in the replica's pid file.
     */
    static TrainerProcess start(RunFolder run, Replica replica, TrainerLaunch launch) {
        long offset = run.logSize(replica);
        ProcessBuilder builder = new ProcessBuilder(launch.command())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(run.log(replica).toFile()));
        if (launch.directory() != null) {
            builder.directory(launch.directory().toFile());
        }
        builder.environment().putAll(launch.environment());
        builder.environment().put(ProcessTree.MARKER_VARIABLE, ProcessTree.markerValue(run.dir()));
        Instant started = Instant.now();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new TrainingException("cannot start the trainer (" + launch.command().get(0) + "): " + e.getMessage()
                    + "; " + launch.whatToCheck(), e);
        }
        TrainerProcess trainer = new TrainerProcess(process.toHandle(), Optional.of(process), offset, started, run,
                replica);
        try {
            trainer.writePidFile(trainer.pidFile);
        } catch (IOException e) {
            // A trainer nobody could adopt after a restart would run twice: better not to run it at all.
            process.destroyForcibly();
            throw new TrainingException("the trainer was stopped because its pid file cannot be written: "
                    + DiskFault.describe(trainer.pidFile, e), e);
        }
        return trainer;
    }

    /** The trainer of {@code runName} still running from an earlier start, if its pid file names a live one. */
    static Optional<TrainerProcess> adopt(RunFolder run, String runName) {
        return adopt(run, runName, Replica.CHIEF);
    }

    /** The replica of {@code runName} still running from an earlier start, if its pid file names a live one. */
    static Optional<TrainerProcess> adopt(RunFolder run, String runName, Replica replica) {
        Path pidFile = run.pidFile(replica);
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        Properties properties = readPidFile(pidFile);
        long pid = Long.parseLong(properties.getProperty("pid"));
        long offset = Long.parseLong(properties.getProperty("logOffset"));
        Optional<Instant> recordedStart = Optional.ofNullable(properties.getProperty("started"))
                .map(millis -> Instant.ofEpochMilli(Long.parseLong(millis)));
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(h -> recordedStart.isPresent() ? startedAt(h, recordedStart.get()) : runsBuiltin(h, runName))
                // The kernel's start time is only precise to a second, close enough for the deadline of a training.
                .map(h -> new TrainerProcess(h, Optional.empty(), offset, h.info().startInstant().orElse(Instant.now()), run,
                        replica));
    }

    /**
     * Whether {@code process} is the one the pid file recorded, not another that got its pid since: a pid is reused
     * only after its process has ended, so the same pid with the same start time is the same process.
     */
    private static boolean startedAt(ProcessHandle process, Instant recorded) {
        return process.info().startInstant()
                .map(start -> Duration.between(start, recorded).abs().compareTo(SAME_START) <= 0)
                .orElse(false);
    }

    /**
     * The check for a pid file that records no start time (written by an earlier version, or where the system tells
     * none): the process is a built-in trainer JVM whose command line carries the run's marker.
     */
    private static boolean runsBuiltin(ProcessHandle process, String runName) {
        List<String> arguments = process.info().arguments().map(List::of).orElse(List.of());
        return arguments.contains(TrainerLaunch.BUILTIN_CLASS)
                && arguments.contains("-D" + TrainerLaunch.RUN_PROPERTY + "=" + runName);
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

    /**
     * Kills the trainer and every process it started, and waits for them all to be gone. Every process of the run
     * carries its marker, so in a cluster this kills every replica.
     *
     * @return the pids killed, empty when none was alive
     */
    List<Long> killTree() throws InterruptedException {
        List<Long> killed = tree.kill();
        // A killed child of ours stays a zombie until the JDK reaps it; once reaped, no process of it is left at all.
        child.ifPresent(TrainerProcess::reaped);
        return killed;
    }

    boolean isAlive() {
        return handle.isAlive();
    }

    /**
     * Kills what the trainer started and left running when it ended (a helper it forgot, or the children of a
     * trainer the OOM killer took), so that nothing of a finished training keeps running.
     *
     * @return the pids killed, empty when nothing was left
     */
    List<Long> killLeftovers() throws InterruptedException {
        return tree.kill().stream().filter(pid -> pid != handle.pid()).toList();
    }

    void deletePidFile() {
        deletePidFile(pidFile);
    }

    static void deletePidFile(RunFolder run, Replica replica) {
        deletePidFile(run.pidFile(replica));
    }

    private static void deletePidFile(Path pidFile) {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + pidFile + ": " + e.getMessage(), e);
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
        handle.info().startInstant().ifPresent(start -> properties.setProperty("started", Long.toString(start.toEpochMilli())));
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
        if (!properties.getProperty("pid", "").matches("\\d+") || !properties.getProperty("logOffset", "").matches("\\d+")
                || !properties.getProperty("started", "0").matches("\\d+")) {
            throw new TrainingException(pidFile + " is damaged (pid, logOffset and, if there, started must be whole"
                    + " numbers); delete it if no trainer of this run is running, then retry");
        }
        return properties;
    }
}
