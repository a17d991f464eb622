package dev.caravan.pipeline;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.StepExecutionListener;
import org.springframework.stereotype.Component;

/**
 * The runs someone asked to stop, and the check that stops them. A stop takes effect when the run's current step
 * lets go: at once for a training (its backend kills the trainer or deletes the job), at the end of any other step.
 * Promotion and the smoke test after it are one unit: a run that has begun promoting finishes, so no version that
 * was not smoke-tested is left serving.
 */
@Component
class RunStops implements StepExecutionListener {

    /** The steps a stop no longer interrupts. */
    static final Set<String> UNSTOPPABLE = Set.of("promote", "smokeTest");

    private final Map<String, String> requested = new ConcurrentHashMap<>();

    /** Records that {@code run} should stop, and who asked; the message the stopped step shows. */
    void request(String run, String reason) {
        requested.put(run, reason);
    }

    /** Why {@code run} should stop, if someone asked. */
    Optional<String> requested(String run) {
        return Optional.ofNullable(requested.get(run));
    }

    /** Forgets a stop once its run has ended, one way or another. */
    void clear(String run) {
        requested.remove(run);
    }

    /** A step that begins after a stop was asked for does not run: Spring Batch ends it, and the run, STOPPED. */
    @Override
    public void beforeStep(StepExecution step) {
        if (!UNSTOPPABLE.contains(step.getStepName())) {
            requested(RunContext.of(step).runName()).ifPresent(reason -> stop(step, reason));
        }
    }

    /** Ends {@code step} as STOPPED with {@code reason} as its message, once its tasklet returns. */
    static void stop(StepExecution step, String reason) {
        step.getExecutionContext().putString(StepMessages.MESSAGE, reason);
        step.setTerminateOnly();
    }
}
