package dev.caravan.training;

import java.time.Duration;
import java.util.Map;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.S3Location;

/**
 * One training: where the data is, where checkpoints, TensorBoard events and {@code metrics.json} go
 * ({@code TF_MODEL_DIR}), where the SavedModel goes ({@code TF_EXPORT_DIR}), which trainer runs and with which
 * hyper-parameters (by name, e.g. {@code trainSteps}), and how long it may take.
 */
public record TrainingRequest(
        String runName,
        S3Location dataDir,
        S3Location modelDir,
        S3Location exportDir,
        PipelineDefinition.Trainer trainer,
        Map<String, String> parameters) {

    public TrainingRequest {
        parameters = Map.copyOf(parameters);
    }

    /** The training steps asked for, for progress reports; 0 when the trainer takes no {@code trainSteps}. */
    public int trainSteps() {
        try {
            return Integer.parseInt(parameters.getOrDefault("trainSteps", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public Duration timeout() {
        return trainer.timeout();
    }
}
