package dev.caravan.cli;

import java.io.PrintWriter;
import java.util.Locale;

import dev.caravan.training.TrainingProgress;

/**
 * A training's progress bar among a run's lines. On a terminal the bar is redrawn in place; into a file or a pipe it
 * is printed at each tenth of the steps, so logs stay short.
 */
class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal = System.console() != null;
    private int lastPrintedTenth = -1;
    private boolean open;

    ProgressBar(PrintWriter out) {
        this.out = out;
    }

    void show(TrainingProgress progress) {
        int total = Math.max(progress.totalSteps(), 1);
        int filled = (int) Math.min(WIDTH, (long) WIDTH * progress.step() / total);
        String text = String.format(Locale.ROOT, "  train         [%s%s] %5d/%d  loss %.4f  accuracy %.4f",
                "#".repeat(filled), ".".repeat(WIDTH - filled), progress.step(), total, progress.loss(), progress.accuracy());
        if (terminal) {
            out.print("\r" + text);
            open = true;
        } else {
            int tenth = (int) (10L * progress.step() / total);
            if (tenth != lastPrintedTenth) {
                lastPrintedTenth = tenth;
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
        }
    }
}
