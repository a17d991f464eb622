package dev.caravan.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.RunStore;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/**
 * The fault suite's trainer faults, provoked on a whole Caravan: a command trainer (the test script
 * {@code dev/caravan/training/command-trainer.sh}) that is SIGKILLed as by the OOM killer, hangs past its timeout or
 * exits 3, each leaving a child process running, and the built-in trainer's JVM out of heap under a tiny {@code -Xmx}
 * given as {@code caravan.training.jvm-options}. Each {@link Outcome} holds what a user would check. Shared by the CI
 * test {@code TrainerFaultsTest} and the bench main {@code TrainerFaultScenario}.
 */
public final class TrainerFaults implements AutoCloseable {

    /** The command trainer's pipeline; the built-in trainer's is {@code mnist}. */
    public static final String PIPELINE = "faulty";

    private static final S3Location CSV_DATA = S3Location.parse("s3://faulty/data/csv/");
    private static final S3Location MNIST_DATA = S3Location.parse("s3://tfmnist/data/mnist/");
    private static final Pattern AT_MILLIS = Pattern.compile("(?:at|since) (\\d{13})");

    /** One fault: the trainer's mode, the reason the run's message must give, and a log line it must quote. */
    public enum Fault {
        KILLED("killed", "was killed by signal 9 (SIGKILL; out of memory?", "trainer: loading all of"),
        HUNG("hang", "timed out after", "waiting on pid"),
        EXITED("fail", "failed with exit code 3", "no CSV files there"),
        JVM_OUT_OF_MEMORY(null, "ran out of memory (", "java.lang.OutOfMemoryError");

        private final String mode;
        private final String reason;
        private final String logLine;

        Fault(String mode, String reason, String logLine) {
            this.mode = mode;
            this.reason = reason;
            this.logLine = logLine;
        }

        public String label() {
            return switch (this) {
                case KILLED -> "SIGKILL (OOM killer)";
                case HUNG -> "hang past timeout";
                case EXITED -> "exit 3";
                case JVM_OUT_OF_MEMORY -> "JVM OutOfMemoryError";
            };
        }
    }

    /**
     * What a user sees of one faulty run: the run itself, the trainer's processes still alive afterwards, and the
     * time from the fault (the kill, the exit, the timeout's end, the JVM's last word) to the run's FAILED.
     */
    public record Outcome(Fault fault, Run run, List<Long> leftovers, Duration faultToFailed) {

        public boolean failedAtTrain() {
            return "FAILED".equals(run.status()) && run.message() != null && run.message().startsWith("train: ");
        }

        public boolean reasonInMessage() {
            return run.message() != null && run.message().contains(fault.reason);
        }

        public boolean logTailInMessage() {
            return run.message() != null && run.message().contains("last lines of ")
                    && run.message().contains(fault.logLine);
        }
    }

    private final Path home;
    private final Duration timeout;
    private final CaravanInstance caravan;
    private final AtomicInteger attempts = new AtomicInteger();

    private TrainerFaults(Path home, Duration timeout, CaravanInstance caravan) {
        this.home = home;
        this.timeout = timeout;
        this.caravan = caravan;
    }

    /**
     * Starts Caravan on {@code home} with the command trainer's pipeline (this training {@code timeout}) and the
     * built-in trainers' JVM limited to {@code -Xmx16m}, and uploads both pipelines' data.
     */
    public static TrainerFaults start(Path home, Duration timeout) {
        Path script = script();
        String pipeline = "--caravan.pipelines." + PIPELINE + ".";
        CaravanInstance caravan = CaravanInstance.start(home,
                "--caravan.training.jvm-options=-Xmx16m -XX:+UseSerialGC",
                pipeline + "model=" + PIPELINE,
                pipeline + "source.bucket=" + CSV_DATA.bucket(),
                pipeline + "source.prefix=" + CSV_DATA.key(),
                pipeline + "trainer.command[0]=" + script,
                pipeline + "trainer.parameters.mode=train",
                pipeline + "trainer.parameters.modelFrom=" + home.resolve("no-model"),
                pipeline + "trainer.parameters.attempt=0",
                pipeline + "trainer.timeout=" + timeout.toMillis() + "ms",
                pipeline + "gate.metric=accuracy",
                pipeline + "gate.min=0.9",
                // Never reached: every run of this pipeline fails at train.
                pipeline + "smoke-test.samples=s3://faulty/samples.jsonl");
        ObjectStore store = caravan.store();
        store.createBucketIfMissing(CSV_DATA.bucket());
        store.put(CSV_DATA.resolve("letters.csv"), "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
        store.createBucketIfMissing(MNIST_DATA.bucket());
        MnistUploads.uploadAll(store, MNIST_DATA);
        return new TrainerFaults(home, timeout, caravan);
    }

    /** Runs one retrain that meets {@code fault} and waits for it to end. */
    public Outcome provoke(Fault fault) {
        int attempt = attempts.incrementAndGet();
        RunOperations operations = caravan.bean(RunOperations.class);
        String run = fault == Fault.JVM_OUT_OF_MEMORY
                // Another step count each time, so each attempt is a run of its own.
                ? operations.submit("mnist", Map.of("trainSteps", Integer.toString(10 + attempt)), "fault suite").run()
                : operations.submit(PIPELINE, Map.of("mode", fault.mode, "attempt", Integer.toString(attempt)),
                        "fault suite").run();
        Run ended = awaitEnded(caravan.bean(RunStore.class), run);
        Path runDir = home.resolve("runs").resolve(run);
        return new Outcome(fault, ended, RunProcesses.alive(runDir),
                Duration.between(faultAt(fault, runDir.resolve("trainer.log")), ended.endedAt()));
    }

    /** Polls by hand: the bench mains run without Awaitility, which is a test dependency only. */
    private static Run awaitEnded(RunStore runs, String run) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (true) {
            Run found = runs.find(run).orElse(null);
            if (found != null && found.endedAt() != null) {
                return found;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("run " + run + " did not end within 3 minutes: " + found);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for run " + run, e);
            }
        }
    }

    @Override
    public void close() {
        caravan.close();
    }

    /** When the fault struck, from what the trainer logged (or, for the JVM, when it last wrote its log). */
    private Instant faultAt(Fault fault, Path log) {
        try {
            if (fault == Fault.JVM_OUT_OF_MEMORY) {
                return Files.getLastModifiedTime(log).toInstant();
            }
            Matcher at = AT_MILLIS.matcher(Files.readString(log));
            if (!at.find()) {
                throw new IllegalStateException("the trainer logged no time in " + log);
            }
            Instant logged = Instant.ofEpochMilli(Long.parseLong(at.group(1)));
            return fault == Fault.HUNG ? logged.plus(timeout) : logged;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path script() {
        try {
            Path script = Path.of(TrainerFaults.class.getResource("/dev/caravan/training/command-trainer.sh").toURI());
            // Resources are copied without their file modes.
            if (!script.toFile().setExecutable(true)) {
                throw new IllegalStateException("cannot make " + script + " executable");
            }
            return script;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
