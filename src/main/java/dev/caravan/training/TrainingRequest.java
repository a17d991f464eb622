package dev.caravan.training;

import java.time.Duration;

import dev.caravan.storage.S3Location;

/**
 * One training: where the data is, where checkpoints and TensorBoard events go ({@code TF_MODEL_DIR}), where the
 * SavedModel goes ({@code TF_EXPORT_DIR}), and the hyper-parameters.
 */
public record TrainingRequest(
        String runName,
        S3Location dataDir,
        S3Location modelDir,
        S3Location exportDir,
        int trainSteps,
        int batchSize,
        double learningRate,
        Duration timeout) {
}
