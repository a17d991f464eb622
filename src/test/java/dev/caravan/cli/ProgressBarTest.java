package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.caravan.training.TrainingProgress;

/** The training's progress as {@code --watch} and {@code demo} print it, with the total the trainer reported or none. */
class ProgressBarTest {

    private final StringWriter text = new StringWriter();
    private final AtomicLong nanos = new AtomicLong();

    @Test
    void theBarFillsAsTheStepsReachTheirTotal() {
        ProgressBar bar = new ProgressBar(new PrintWriter(text), false, nanos::get);

        bar.show(new TrainingProgress(30, 300, 0.9, 0.7));
        bar.show(new TrainingProgress(150, 300, 0.5, 0.8));
        bar.show(new TrainingProgress(300, 300, 0.2, 0.9));

        assertThat(text.toString().lines()).containsExactly(
                "  train         [###...........................]    30/300  loss 0.9000  accuracy 0.7000",
                "  train         [###############...............]   150/300  loss 0.5000  accuracy 0.8000",
                "  train         [##############################]   300/300  loss 0.2000  accuracy 0.9000");
    }

    @Test
    void aTotalTheTrainerDidNotReportShowsTheStepWithoutABar() {
        ProgressBar bar = new ProgressBar(new PrintWriter(text), false, nanos::get);

        bar.show(new TrainingProgress(30, 0, 0.9, 0.7));
        nanos.addAndGet(ProgressBar.UNKNOWN_TOTAL_EVERY.toNanos() / 2);
        bar.show(new TrainingProgress(60, 0, 0.5, 0.8));
        nanos.addAndGet(ProgressBar.UNKNOWN_TOTAL_EVERY.toNanos());
        bar.show(new TrainingProgress(300, 0, 0.2, 0.9));

        assertThat(text.toString().lines()).containsExactly(
                "  train         step    30 (total steps not reported)  loss 0.9000  accuracy 0.7000",
                "  train         step   300 (total steps not reported)  loss 0.2000  accuracy 0.9000");
    }

    @Test
    void onATerminalTheStepWithoutATotalIsRedrawnInPlace() {
        ProgressBar bar = new ProgressBar(new PrintWriter(text), true, nanos::get);

        bar.show(new TrainingProgress(30, 0, 0.9, 0.7));
        bar.show(new TrainingProgress(60, 0, 0.5, 0.8));
        bar.end();

        assertThat(text.toString()).doesNotContain("[#", "/1 ")
                .endsWith("\r  train         step    60 (total steps not reported)  loss 0.5000  accuracy 0.8000"
                        + System.lineSeparator());
    }
}
