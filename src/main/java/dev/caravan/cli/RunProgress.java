package dev.caravan.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.caravan.pipeline.RunEvent;
import dev.caravan.training.TrainingProgress;

/** Prints a run as it goes: each step starting and ending, and a progress bar while it trains. */
class RunProgress {

    private static final int BAR = 30;

    private final PrintWriter out;
    private final boolean terminal = System.console() != null;
    private int lastPrintedTenth = -1;
    private boolean barOpen;

    RunProgress(PrintWriter out) {
        this.out = out;
    }

    /** Prints events until the run ends, and returns its end; fails when nothing ends within {@code timeout}. */
    RunEvent.RunFinished follow(BlockingQueue<RunEvent> events, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            RunEvent event = events.poll(1, TimeUnit.SECONDS);
            if (event instanceof RunEvent.RunFinished finished) {
                endBar();
                return finished;
            }
            if (event != null) {
                print(event);
            }
        }
        throw new IllegalStateException("no run finished within " + timeout + "; see the log in .caravan/demo/logs");
    }

    private void print(RunEvent event) {
        if (event instanceof RunEvent.RunStarted started) {
            line("Run " + started.run() + " started for snapshot " + started.snapshot().substring(0, 12) + "...");
        } else if (event instanceof RunEvent.StepStarted step) {
            line(String.format("  %-13s started", step.step()));
        } else if (event instanceof RunEvent.StepFinished step) {
            line(String.format(Locale.ROOT, "  %-13s %-9s %6.1f s  %s", step.step(), step.status(),
                    step.duration().toMillis() / 1000.0, step.message()));
        } else if (event instanceof RunEvent.TrainingProgressed progress) {
            bar(progress.progress());
        }
        out.flush();
    }

    private void bar(TrainingProgress progress) {
        int total = Math.max(progress.totalSteps(), 1);
        int filled = (int) ((long) BAR * progress.step() / total);
        String text = String.format(Locale.ROOT, "  train         [%s%s] %5d/%d  loss %.4f  accuracy %.4f",
                "#".repeat(filled), ".".repeat(BAR - filled), progress.step(), total, progress.loss(), progress.accuracy());
        if (terminal) {
            out.print("\r" + text);
            barOpen = true;
        } else {
            int tenth = (int) (10L * progress.step() / total);
            if (tenth != lastPrintedTenth) {
                lastPrintedTenth = tenth;
                out.println(text);
            }
        }
    }

    private void endBar() {
        if (barOpen) {
            out.println();
            barOpen = false;
        }
    }

    private void line(String text) {
        endBar();
        out.println(text);
    }
}
