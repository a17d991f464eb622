package dev.caravan.snapshot;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.S3Location;

/**
 * Where frozen data is kept in a pipeline's bucket ({@code <prefix><model>/<hash>/}) and how many snapshots of a model
 * are kept besides those still in use (see {@link SnapshotRetention}).
 *
 * @param prefix     e.g. {@code snapshots/}; it must not lie under a pipeline's watched prefix
 * @param keepNewest how many of a model's newest snapshots are kept whatever else; at least 1
 */
@Validated
@ConfigurationProperties("caravan.snapshots")
public record SnapshotSettings(
        @DefaultValue("snapshots/") @Pattern(regexp = "[^/].*/", message = "must end with '/' and not start with '/'")
        String prefix,
        @DefaultValue("3") @Min(value = 1, message = "must be at least 1: the snapshot a run was just given is kept")
        int keepNewest) {

    /** {@code s3://<bucket>/<prefix><model>/}: the frozen copies of a pipeline's data. */
    public S3Location modelSnapshots(PipelineDefinition pipeline) {
        return new S3Location(pipeline.source().bucket(), prefix).resolve(pipeline.model() + "/");
    }
}
