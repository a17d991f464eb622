package dev.caravan.pipeline;

import java.time.Duration;
import java.time.LocalDateTime;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.StepExecutionListener;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.stereotype.Component;

/**
 * Gives every step a one-line message a person can read (what it did, or why it failed) and publishes its start
 * and end as {@link RunEvent}s.
 */
@Component
class StepMessages implements StepExecutionListener {

    static final String MESSAGE = "message";

    private final ApplicationEventPublisher events;

    StepMessages(ApplicationEventPublisher events) {
        this.events = events;
    }

    /** Records what a step did, for {@code caravan get} and the demo. */
    static void say(ChunkContext chunk, String message) {
        chunk.getStepContext().getStepExecution().getExecutionContext().putString(MESSAGE, message);
    }

    static String of(StepExecution step) {
        return step.getExecutionContext().getString(MESSAGE, "");
    }

    @Override
    public void beforeStep(StepExecution step) {
        events.publishEvent(new RunEvent.StepStarted(RunContext.of(step).runName(), RunContext.of(step).model(),
                step.getStepName()));
    }

    @Override
    public ExitStatus afterStep(StepExecution step) {
        boolean stopped = step.getStatus() == BatchStatus.STOPPED;
        if (!stopped && !step.getFailureExceptions().isEmpty()) {
            Throwable failure = step.getFailureExceptions().get(0);
            Throwable root = NestedExceptionUtils.getMostSpecificCause(failure);
            String message = failure.getMessage() != null ? failure.getMessage() : root.toString();
            step.getExecutionContext().putString(MESSAGE, message);
        }
        LocalDateTime start = step.getStartTime() == null ? LocalDateTime.now() : step.getStartTime();
        String status = stopped ? "STOPPED"
                : step.getFailureExceptions().isEmpty() ? step.getExitStatus().getExitCode() : "FAILED";
        RunContext run = RunContext.of(step);
        events.publishEvent(new RunEvent.StepFinished(run.runName(), run.model(), step.getStepName(), status,
                Duration.between(start, LocalDateTime.now()), of(step)));
        return null;
    }
}
