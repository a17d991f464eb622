package dev.caravan.bench.faults;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import org.springframework.util.FileSystemUtils;

/**
 * The fault suite's "serving during switches" scenario at full size, run by {@code bench/faults.sh switches}: by
 * default 8 gRPC and 8 REST clients (16 in all, the top of the 4..16) predict for 15 s of warm-up, then in 4
 * rounds 5 s at rest and 15 s of switches: 20 s at rest and 60 s of switches in all (see
 * {@link ServingDuringSwitches}). Targets: no failed request, at least one switch every 2 s and one failed smoke
 * test rolled back every 10 s, each switch serving what it switched to. The p99 latencies at rest and during
 * switches are reported beside each other, with no target, and the machine's load average beside them, as other
 * work on the machine weighs on both. Usage: {@code SwitchingScenario [--seconds N] [--rest-seconds N]
 * [--warm-up-seconds N] [--grpc-clients N] [--rest-clients N] [--rounds N] [--pause-ms N]}.
 */
public final class SwitchingScenario {

    private SwitchingScenario() {
    }

    public static void main(String[] args) throws Exception {
        ServingDuringSwitches.Size size = size(args);
        Path work = Files.createTempDirectory("caravan-switches-");
        ServingDuringSwitches.Outcome outcome;
        try {
            outcome = ServingDuringSwitches.run(size, work);
        } finally {
            FileSystemUtils.deleteRecursively(work);
        }
        print(outcome);
    }

    private static void print(ServingDuringSwitches.Outcome outcome) {
        ServingDuringSwitches.Size size = outcome.size();
        long seconds = outcome.switched().toSeconds();
        Figures figures = new Figures(String.format(Locale.ROOT, "serving during switches: %d gRPC + %d REST clients,"
                + " %d s at rest, %d s of switches", size.grpcClients(), size.restClients(), size.atRest().toSeconds(),
                seconds));
        figures.report("requests answered at rest (gRPC + REST)", answered(outcome, Phase.AT_REST));
        figures.report("requests answered during switches (gRPC + REST)", answered(outcome, Phase.SWITCHING));
        figures.atMost("failed gRPC requests", outcome.grpc().failed(), 0);
        figures.atMost("failed REST requests", outcome.rest().failed(), 0);
        figures.atLeast("switches of the served version (one per 2 s)", outcome.switches(), seconds / 2);
        figures.atLeast("failed smoke tests rolled back (one per 10 s)", outcome.failedSmokeTestsRolledBack(),
                seconds / 10);
        figures.holds("every switch served the version it switched to", outcome.problems().isEmpty());
        figures.report("gRPC p99 at rest", millis(outcome.grpc(), Phase.AT_REST));
        figures.report("gRPC p99 during switches", millis(outcome.grpc(), Phase.SWITCHING));
        figures.report("REST p99 at rest", millis(outcome.rest(), Phase.AT_REST));
        figures.report("REST p99 during switches", millis(outcome.rest(), Phase.SWITCHING));
        figures.report("gRPC answers by wrong versions before their smoke test",
                Long.toString(outcome.answersFromWrongVersions()));
        figures.report(String.format(Locale.ROOT, "machine load average at the end (%d cores)",
                Runtime.getRuntime().availableProcessors()), String.format(Locale.ROOT, "%.1f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        outcome.problems().forEach(problem -> Figures.out("  switching problem: %s", problem));
        outcome.firstFailures().forEach(failure -> Figures.out("  failed request: %s", failure));
        figures.exit();
    }

    private static String answered(ServingDuringSwitches.Outcome outcome, Phase phase) {
        return outcome.grpc().answered(phase) + " + " + outcome.rest().answered(phase);
    }

    private static String millis(Tally tally, Phase phase) {
        return String.format(Locale.ROOT, "%.2f ms", tally.percentileMillis(phase, 0.99));
    }

    private static ServingDuringSwitches.Size size(String[] args) {
        int seconds = 60;
        int restSeconds = 20;
        int warmUpSeconds = 15;
        int grpcClients = 8;
        int restClients = 8;
        int rounds = 4;
        int pauseMillis = 250;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(option + " needs a number after it");
            }
            int value = Integer.parseInt(args[++i]);
            switch (option) {
                case "--seconds" -> seconds = value;
                case "--rest-seconds" -> restSeconds = value;
                case "--warm-up-seconds" -> warmUpSeconds = value;
                case "--grpc-clients" -> grpcClients = value;
                case "--rest-clients" -> restClients = value;
                case "--rounds" -> rounds = value;
                case "--pause-ms" -> pauseMillis = value;
                default -> throw new IllegalArgumentException("unknown option " + option + "; the options are --seconds,"
                        + " --rest-seconds, --warm-up-seconds, --grpc-clients, --rest-clients, --rounds and --pause-ms");
            }
        }
        return new ServingDuringSwitches.Size(grpcClients, restClients, Duration.ofSeconds(warmUpSeconds),
                Duration.ofSeconds(restSeconds), Duration.ofSeconds(seconds), rounds, Duration.ofMillis(pauseMillis), 1);
    }
}
