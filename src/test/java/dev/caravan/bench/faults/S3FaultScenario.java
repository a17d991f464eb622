package dev.caravan.bench.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import dev.caravan.storage.S3Settings;
import dev.caravan.testutil.FaultyS3Proxy.Fault;
import dev.caravan.testutil.FaultyS3Proxy.Request;
import dev.caravan.testutil.S3FaultRig;

/**
 * The fault suite's S3 scenario: for each step that talks to S3 and each fault (unreachable, slow, 500, 503) a new
 * run with that fault on the step's reads, through a proxy of the scenario's own. A failing fault must be retried
 * (the proxy sees every attempt), fail the step naming the endpoint and the operation, leave serving as it was, and
 * let a retry of the run complete once S3 heals; a slow S3, below the client's timeout, must only slow the run down.
 * Run by {@code bench/faults.sh s3}.
 */
public final class S3FaultScenario {

    /** Steps that read S3 in Caravan or in its trainer, and the reads of each that the faults hit. */
    private static final List<String> STEPS = List.of("validateData", "train", "evaluate", "promote", "smokeTest");
    private static final List<Fault> FAILING = List.of(Fault.UNREACHABLE, Fault.ERROR_500, Fault.ERROR_503);
    /** Well below the SDK's 30 s socket timeout: a slow S3, not a dead one. */
    private static final Duration SLOW = Duration.ofMillis(500);
    /** Attempts, backoff with jitter and a trainer's start: a step gives up on a dead S3 within this. */
    private static final Duration GIVE_UP_WITHIN = Duration.ofSeconds(40);

    private S3FaultScenario() {
    }

    public static void main(String[] args) throws Exception {
        int attempts = S3Settings.DEFAULT_MAX_ATTEMPTS;
        Figures figures = new Figures("s3: S3 unreachable, slow, 500 or 503 during each step (max-attempts " + attempts + ")");
        Path home = Files.createTempDirectory("caravan-s3-faults-");
        try (S3FaultRig rig = S3FaultRig.start(home, attempts, "--logging.pattern.console=")) {
            for (String step : STEPS) {
                Predicate<Request> reads = step.equals("promote") ? S3FaultRig.EXPORT_READS : S3FaultRig.DATA_READS;
                for (Fault fault : FAILING) {
                    failing(figures, rig, step, fault, reads, attempts);
                }
                slow(figures, rig, step, reads);
            }
            S3FaultRig.Outcome passing = rig.run("validateData", Fault.ERROR_503, S3FaultRig.DATA_READS, attempts - 1);
            figures.holds("503 on " + (attempts - 1) + " attempts, then healthy: run completes", "COMPLETED".equals(passing.status()));
        }
        figures.exit();
    }

    private static void failing(Figures figures, S3FaultRig rig, String step, Fault fault, Predicate<Request> reads,
                                int attempts) {
        S3FaultRig.Outcome outcome = rig.run(step, fault, reads, Integer.MAX_VALUE);
        String label = step + " / " + name(fault) + ": ";
        System.out.println("  " + label + outcome.status() + " at " + outcome.failedStep() + " after "
                + seconds(outcome.took()) + " s: " + firstLine(outcome.message()));
        figures.atLeast(label + "attempts seen by the proxy", outcome.attempts(), attempts);
        figures.holds(label + "step failed, names endpoint + operation", "FAILED".equals(outcome.status())
                && step.equals(outcome.failedStep()) && outcome.names(rig.endpoint(), "GetObject"));
        figures.atMost(label + "seconds until the step failed", outcome.took().toSeconds(), GIVE_UP_WITHIN.toSeconds());
        figures.holds(label + "serving unchanged", outcome.servingUnchanged());
        figures.holds(label + "retry of the run completed", "COMPLETED".equals(outcome.retryStatus()));
    }

    private static void slow(Figures figures, S3FaultRig rig, String step, Predicate<Request> reads) {
        rig.proxy().delay(SLOW);
        S3FaultRig.Outcome outcome = rig.run(step, Fault.SLOW, reads, Integer.MAX_VALUE);
        String label = step + " / slow " + SLOW.toMillis() + " ms: ";
        System.out.println("  " + label + outcome.status() + " with " + outcome.attempts() + " slowed requests, "
                + seconds(outcome.took()) + " s from the step's start to the run's end");
        figures.holds(label + "run completed anyway", "COMPLETED".equals(outcome.status()));
    }

    private static String name(Fault fault) {
        return switch (fault) {
            case UNREACHABLE -> "unreachable";
            case ERROR_500 -> "500";
            case ERROR_503 -> "503";
            default -> fault.name().toLowerCase(Locale.ROOT);
        };
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f", duration.toMillis() / 1000.0);
    }

    private static String firstLine(String message) {
        String line = message == null ? "" : message.lines().filter(l -> l.contains("S3 at")).findFirst()
                .orElse(message.lines().findFirst().orElse(""));
        return line.length() > 300 ? line.substring(0, 300) + "..." : line.strip();
    }
}
