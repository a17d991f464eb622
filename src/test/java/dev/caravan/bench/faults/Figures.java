package dev.caravan.bench.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures one fault scenario measured, each beside its target, printed as one table. A scenario's {@code main}
 * ends with {@link #exit()}: status 0 when every target was met, 1 otherwise, so {@code bench/faults.sh} can sum up.
 */
public final class Figures {

    private final String scenario;
    private final List<String> missed = new ArrayList<>();

    public Figures(String scenario) {
        this.scenario = scenario;
        out("%n== %s ==", scenario);
        out("%-58s %14s %14s  %s", "figure", "measured", "target", "");
    }

    /** A count that must be at most {@code max}, e.g. lost runs with target 0. */
    public void atMost(String figure, long measured, long max) {
        row(figure, Long.toString(measured), "<= " + max, measured <= max);
    }

    /** A count that must be at least {@code min}. */
    public void atLeast(String figure, long measured, long min) {
        row(figure, Long.toString(measured), ">= " + min, measured >= min);
    }

    /** A yes/no target, e.g. "the step's message names the endpoint". */
    public void holds(String figure, boolean measured) {
        row(figure, measured ? "yes" : "no", "yes", measured);
    }

    /** A figure reported for context, with no target (p99 at rest beside p99 during switches). */
    public void report(String figure, String measured) {
        out("%-58s %14s %14s", figure, measured, "-");
    }

    private void row(String figure, String measured, String target, boolean met) {
        if (!met) {
            missed.add(figure);
        }
        out("%-58s %14s %14s  %s", figure, measured, target, met ? "MET" : "MISSED");
    }

    /** Prints the verdict and exits: 0 when every target was met. */
    public void exit() {
        out(missed.isEmpty() ? "%s: every target met" : "%s: missed " + String.join(", ", missed), scenario);
        System.exit(missed.isEmpty() ? 0 : 1);
    }

    static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
