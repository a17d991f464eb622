package dev.caravan.bench.faults;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.caravan.testutil.RunProcesses;
import dev.caravan.testutil.TrainerFaults;
import dev.caravan.testutil.TrainerFaults.Fault;
import dev.caravan.testutil.TrainerFaults.Outcome;

/**
 * The fault suite's trainer scenario ({@code bench/faults.sh trainer}): one Caravan, each trainer fault provoked
 * {@value #ROUNDS} times (SIGKILL as by the OOM killer, a hang past a 5 s timeout, exit 3, a JVM trainer out of
 * heap), and per fault whether every run failed at train with the reason and the log's tail, how many of the
 * trainer's processes were left running, and how long the fault took to become a FAILED run.
 */
public final class TrainerFaultScenario {

    private static final int ROUNDS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private TrainerFaultScenario() {
    }

    public static void main(String[] args) throws Exception {
        // Caravan's log stays in its home: on the console, its start and each failed step's stack trace would bury
        // the figures. One message per fault is printed below instead.
        System.setProperty("logging.level.dev.caravan", "WARN");
        System.setProperty("logging.level.org.springframework.batch.core.step.AbstractStep", "OFF");
        Figures figures = new Figures("trainer faults (" + ROUNDS + " runs each, training timeout "
                + TIMEOUT.toSeconds() + " s)");
        if (!RunProcesses.canList()) {
            figures.report("skipped: no /proc to find left-behind processes in", "-");
            figures.exit();
        }
        try (TrainerFaults faults = TrainerFaults.start(Files.createTempDirectory("caravan-faults-trainer-"), TIMEOUT)) {
            for (Fault fault : Fault.values()) {
                List<Outcome> outcomes = new ArrayList<>();
                for (int i = 0; i < ROUNDS; i++) {
                    outcomes.add(faults.provoke(fault));
                }
                report(figures, fault, outcomes);
            }
        }
        figures.exit();
    }

    private static void report(Figures figures, Fault fault, List<Outcome> outcomes) {
        String name = fault.label() + ": ";
        figures.holds(name + "run failed at train", outcomes.stream().allMatch(Outcome::failedAtTrain));
        figures.holds(name + "reason in message", outcomes.stream().allMatch(Outcome::reasonInMessage));
        figures.holds(name + "log tail in message", outcomes.stream().allMatch(Outcome::logTailInMessage));
        figures.atMost(name + "processes left behind", outcomes.stream().mapToLong(o -> o.leftovers().size()).sum(), 0);
        List<Long> millis = outcomes.stream().map(o -> o.faultToFailed().toMillis()).sorted().toList();
        figures.report(name + "fault to FAILED (median, max)", String.format(Locale.ROOT, "%.1f s, %.1f s",
                millis.get(millis.size() / 2) / 1000.0, millis.get(millis.size() - 1) / 1000.0));
        Outcome example = outcomes.stream().filter(o -> !o.failedAtTrain() || !o.reasonInMessage()
                || !o.logTailInMessage()).findFirst().orElse(outcomes.get(0));
        System.out.println("  e.g. run " + example.run().name() + ": " + example.run().message());
    }
}
