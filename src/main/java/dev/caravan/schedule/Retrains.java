package dev.caravan.schedule;

import java.util.Map;
import java.util.Optional;

import dev.caravan.pipeline.RetrainCoordinator;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.Run;
import dev.caravan.snapshot.Snapshot;

/** What a fire needs from the pipeline: whether a model is busy, its data now, its last completed run, a submit. */
interface Retrains {

    /** True when no run of {@code model} is going and none waits (see {@link RetrainCoordinator#idle}). */
    boolean idle(String model);

    /** The run of {@code model} that is going, if the runs table knows it yet. */
    Optional<String> running(String model);

    /** The name the run of {@code model} on {@code snapshot} with {@code parameters} has, started or not. */
    String runName(String model, Snapshot snapshot, Map<String, String> parameters);

    /** Freezes the data under the prefix of {@code model}'s pipeline now and records the snapshot. */
    Snapshot freeze(String model);

    /** The newest run of {@code model} that completed (promoted or rejected by the gate). */
    Optional<Run> lastCompleted(String model);

    /**
     * Stops {@code run}, as {@code caravan stop} does.
     *
     * @throws IllegalStateException when the run cannot be stopped now, saying why
     */
    void stop(String run, String origin);

    /**
     * Submits a retrain of {@code model} on {@code snapshot} through the one submit path: it starts now, or waits as
     * the model's follow-up in place of any that waited.
     */
    RunOperations.Submission submit(String model, Snapshot snapshot, Map<String, String> parameters, String origin);
}
