package dev.caravan.pipeline;

import java.time.Duration;

import dev.caravan.training.TrainingProgress;

/** What happens in a run, as it happens: published as Spring application events for watchers such as the demo. */
public sealed interface RunEvent {

    String run();

    record RunStarted(String run, String model, String snapshot) implements RunEvent {
    }

    record StepStarted(String run, String model, String step) implements RunEvent {
    }

    record StepFinished(String run, String model, String step, String status, Duration duration, String message)
            implements RunEvent {
    }

    record TrainingProgressed(String run, TrainingProgress progress) implements RunEvent {
    }

    record RunFinished(String run, String model, String status, String outcome, String message) implements RunEvent {
    }

    record SmokeFailed(String run, String model, long version, String reason) implements RunEvent {
    }

    /** A request for work that was done before: the same data with the same settings trains once. */
    record Skipped(String run, String model, String snapshot, String reason) implements RunEvent {
    }

    /** A run that could not even start, for example because the job repository was unreachable. */
    record LaunchFailed(String run, String model, String message) implements RunEvent {
    }
}
