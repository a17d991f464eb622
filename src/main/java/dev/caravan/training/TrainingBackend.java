package dev.caravan.training;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/**
 * Runs one training of a model to its exported SavedModel. The {@code local} implementation runs the trainer as a
 * child JVM; the {@code kubernetes} one creates a TFJob. Both hand the trainer the same environment contract.
 */
public interface TrainingBackend {

    /**
     * Trains as {@code request} says and blocks until the export is complete. A request whose run name already has a
     * training under way (after a restart) adopts it instead of starting a second one.
     *
     * @throws TrainingException when training fails, crashes or runs out of time; its message says why and what to do
     */
    TrainingResult train(TrainingRequest request, TrainingListener listener);

    /**
     * Ends the training of {@code runName} that is under way, if there is one: the {@code train} call waiting for it
     * then fails. True if a training was found and ended.
     *
     * @throws TrainingException when it was found but could not be ended; its message says what to do
     */
    boolean cancel(String runName);

    /**
     * Writes the trainer's log of {@code runName} to {@code out}: the trainer's log file on the local runtime, the
     * log of the chief's pod (or worker 0's) on Kubernetes. {@code replica} picks one replica of a distributed
     * training by the name TF_CONFIG gives it, {@code chief}, {@code worker-<i>} or {@code ps-<i>}; null or
     * {@code chief} is the default just described. While {@code follow} says true it keeps writing what is appended,
     * so a caller can follow a run until it ends.
     *
     * @throws TrainingException when the run has no log to show, or no replica of that name, saying why
     * @throws IOException       when {@code out} fails
     */
    void copyLog(String runName, String replica, OutputStream out, BooleanSupplier follow) throws IOException;
}
