package dev.caravan.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

import dev.caravan.training.TrainingProgress;

/**
 * A training's progress bar among a run's lines. On a terminal the bar is redrawn in place; into a file or a pipe it
 * is printed at each tenth of the steps, so logs stay short. A training whose trainer reported no total steps has no
 * bar, only the step it reached: printed in place on a terminal, and at most every {@link #UNKNOWN_TOTAL_EVERY}
 * otherwise.
 */
class ProgressBar {

    static final Duration UNKNOWN_TOTAL_EVERY = Duration.ofSeconds(10);

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private int lastPrintedTenth = -1;
    private long lastPrintedAt;
    private boolean printedWithoutTotal;
    private int drawnLength;
    private boolean open;

    ProgressBar(PrintWriter out) {
        this(out, System.console() != null, System::nanoTime);
    }

    ProgressBar(PrintWriter out, boolean terminal, LongSupplier nanoTime) {
        this.out = out;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
    }

    /** Shows {@code progress}; a total of 0 or less is one the trainer did not report. */
    void show(TrainingProgress progress) {
        int total = progress.totalSteps();
        String text;
        if (total > 0) {
            int filled = (int) Math.max(0, Math.min(WIDTH, (long) WIDTH * progress.step() / total));
            text = String.format(Locale.ROOT, "  train         [%s%s] %5d/%d  loss %.4f  accuracy %.4f",
                    "#".repeat(filled), ".".repeat(WIDTH - filled), progress.step(), total, progress.loss(),
                    progress.accuracy());
        } else {
            text = String.format(Locale.ROOT, "  train         step %5d (total steps not reported)  loss %.4f  "
                    + "accuracy %.4f", progress.step(), progress.loss(), progress.accuracy());
        }
        if (terminal) {
            // Spaces cover what a longer line before left, so nothing of it shows after this one.
            out.print("\r" + text + " ".repeat(Math.max(0, drawnLength - text.length())));
            drawnLength = text.length();
            open = true;
        } else if (total > 0) {
            int tenth = (int) (10L * progress.step() / total);
            if (tenth != lastPrintedTenth) {
                lastPrintedTenth = tenth;
                out.println(text);
            }
        } else {
            long now = nanoTime.getAsLong();
            if (!printedWithoutTotal || now - lastPrintedAt >= UNKNOWN_TOTAL_EVERY.toNanos()) {
                printedWithoutTotal = true;
                lastPrintedAt = now;
                out.println(text);
            }
        }
        out.flush();
    }

    /** Prints a line of its own, below the bar. */
    void line(String text) {
        end();
        out.println(text);
        out.flush();
    }

    /** Ends the bar's line, if one is open. */
    void end() {
        if (open) {
            out.println();
            open = false;
            drawnLength = 0;
        }
    }
}
