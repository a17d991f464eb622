package dev.caravan.bench.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.registry.ModelOperations;
import dev.caravan.serving.ServingBackend;
import dev.caravan.smoketest.SampleDigit;
import dev.caravan.smoketest.SampleDigits;
import dev.caravan.smoketest.SmokeSample;
import dev.caravan.smoketest.SmokeSamples;
import dev.caravan.smoketest.SmokeTest;
import dev.caravan.smoketest.SmokeTestReport;
import dev.caravan.testutil.CaravanInstance;

/**
 * Switches the served version of mnist as runs and people do, through {@link ModelOperations}, the one service every
 * promotion and rollback goes through. Each cycle is four switches: a run promotes a good version and its smoke test
 * passes; a run promotes a version that answers wrong, its smoke test fails and the version is withdrawn, as the
 * retrain job's smoke-test step does; then a person rolls back to the version before.
 */
final class Switcher {

    private static final double MIN_CORRECT = 0.9;

    private final ModelOperations operations;
    private final ServingBackend serving;
    private final SmokeTest smokeTest;
    private final ModelVersions versions;
    private final List<SmokeSample> samples;
    private final Duration pause;
    private final List<String> problems = new ArrayList<>();
    private int cycles;
    private int switches;
    private int failedSmokeTests;

    /** What the switching did: switches, failed smoke tests rolled back, and what went otherwise than planned. */
    record Switches(int cycles, int switches, int failedSmokeTestsRolledBack, List<String> problems) {
    }

    /** @param pause how long a version that passed its smoke test serves before the next switch */
    Switcher(CaravanInstance caravan, ModelVersions versions, Duration pause) {
        this.operations = caravan.bean(ModelOperations.class);
        this.serving = caravan.bean(ServingBackend.class);
        this.smokeTest = caravan.bean(SmokeTest.class);
        this.versions = versions;
        this.samples = shippedDigits();
        this.pause = pause;
    }

    /** Serves the first good version: where every scenario starts. */
    void serveFirst() {
        operations.promote(ModelVersions.MODEL, versions.good().get(0), "the switches scenario");
    }

    /**
     * Runs whole cycles for {@code span}, and at least {@code minCycles}; stops at the first problem.
     *
     * @return what all runs of this switcher did so far
     */
    Switches run(Duration span, int minCycles) throws InterruptedException {
        long end = System.nanoTime() + span.toNanos();
        int done = 0;
        while ((done < minCycles || System.nanoTime() < end) && problems.isEmpty()) {
            try {
                cycle(cycles);
                cycles++;
                done++;
            } catch (RuntimeException e) {
                problems.add("cycle " + (cycles + 1) + " failed: " + e);
            }
        }
        return new Switches(cycles, switches, failedSmokeTests, List.copyOf(problems));
    }

    // As in a run, each smoke test starts as soon as its version serves: a wrong version serves only while tested.
    private void cycle(int number) throws InterruptedException {
        long before = servedVersion();
        List<Long> others = versions.good().stream().filter(v -> v != before).toList();
        long good = others.get(number % others.size());

        operations.promote(ModelVersions.MODEL, good, "run of cycle " + number);
        switched(good);
        expect(smokeTest(good).passed(), "the smoke test of good version " + good + " failed");
        Thread.sleep(pause.toMillis());

        long wrong = versions.addWrong();
        operations.promote(ModelVersions.MODEL, wrong, "run of cycle " + number);
        switched(wrong);
        SmokeTestReport report = smokeTest(wrong);
        expect(!report.passed(), "the smoke test of version " + wrong + ", which answers wrong, passed");
        operations.withdraw(ModelVersions.MODEL, wrong, good,
                "smoke test failed: " + report.failureReason().orElse("answered wrong"));
        switched(good);
        failedSmokeTests++;
        Thread.sleep(pause.toMillis());

        operations.rollBack(ModelVersions.MODEL, "the switches scenario");
        switched(before);
        Thread.sleep(pause.toMillis());
    }

    private SmokeTestReport smokeTest(long version) {
        return smokeTest.run(ModelVersions.MODEL, version, samples, MIN_CORRECT);
    }

    private void switched(long expected) {
        switches++;
        expect(servedVersion() == expected, "version " + servedVersion() + " serves after a switch to " + expected);
    }

    // The ten digits shipped with Caravan, each expected as its label: what an mnist pipeline's samples look like.
    private static List<SmokeSample> shippedDigits() {
        ObjectMapper json = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (SampleDigit digit : SampleDigits.load()) {
            float[][] rows = new float[28][];
            for (int row = 0; row < 28; row++) {
                rows[row] = Arrays.copyOfRange(digit.pixels(), row * 28, row * 28 + 28);
            }
            try {
                lines.append(json.writeValueAsString(Map.of("instances", List.of((Object) rows),
                        "expected", Map.of("classes", List.of(digit.label()))))).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return SmokeSamples.fromJsonLines(lines.toString(), "the shipped sample digits");
    }

    private long servedVersion() {
        OptionalLong served = serving.servingVersion(ModelVersions.MODEL);
        return served.orElse(-1);
    }

    private void expect(boolean holds, String problem) {
        if (!holds) {
            throw new IllegalStateException(problem);
        }
    }
}
