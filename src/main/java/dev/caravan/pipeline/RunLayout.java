package dev.caravan.pipeline;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.S3Location;

/**
 * Where a run keeps its files in its pipeline's bucket: versions under {@code models-prefix}
 * ({@code models/<model>/<version>/}, the layout TensorFlow Serving loads) and checkpoints, events and
 * {@code metrics.json} under {@code training-prefix} ({@code training/<run>/}).
 */
@Validated
@ConfigurationProperties("caravan")
public record RunLayout(
        @NotBlank @Pattern(regexp = "[^/].*/", message = "must end with '/' and not start with '/'") String modelsPrefix,
        @NotBlank @Pattern(regexp = "[^/].*/", message = "must end with '/' and not start with '/'") String trainingPrefix) {

    /** {@code s3://<bucket>/models/<model>/}: the base folder of the model's versions. */
    public S3Location modelBase(PipelineDefinition pipeline) {
        return new S3Location(pipeline.source().bucket(), modelsPrefix).resolve(pipeline.model() + "/");
    }

    /** {@code s3://<bucket>/training/<run>/}: the run's {@code TF_MODEL_DIR}. */
    public S3Location modelDir(PipelineDefinition pipeline, String runName) {
        return new S3Location(pipeline.source().bucket(), trainingPrefix).resolve(runName + "/");
    }
}
