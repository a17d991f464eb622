package dev.caravan.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.caravan.pipeline.RunEvent;

/** Prints a run of this process as it goes, from its events: each step starting and ending, and a progress bar. */
class RunProgress {

    private final ProgressBar progress;

    RunProgress(PrintWriter out) {
        this.progress = new ProgressBar(out);
    }

    /** Prints events until the run ends, and returns its end; fails when nothing ends within {@code timeout}. */
    RunEvent.RunFinished follow(BlockingQueue<RunEvent> events, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            RunEvent event = events.poll(1, TimeUnit.SECONDS);
            if (event instanceof RunEvent.RunFinished finished) {
                progress.end();
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
            progress.line("Run " + started.run() + " started for snapshot " + started.snapshot().substring(0, 12) + "...");
        } else if (event instanceof RunEvent.StepStarted step) {
            progress.line(String.format("  %-13s started", step.step()));
        } else if (event instanceof RunEvent.StepFinished step) {
            progress.line(String.format(Locale.ROOT, "  %-13s %-9s %6.1f s  %s", step.step(), step.status(),
                    step.duration().toMillis() / 1000.0, step.message()));
        } else if (event instanceof RunEvent.TrainingProgressed trained) {
            progress.show(trained.progress());
        }
    }
}
