package dev.caravan.smoketest;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.caravan.data.DataValidationException;
import dev.caravan.data.MnistData;
import dev.caravan.data.MnistSplit;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Where a pipeline's smoke-test samples come from: its {@code smokeTest.samples} object, read when the test runs
 * so that a new upload counts at once; or, for an {@code mnist-idx} pipeline without one, the first test images of
 * the run's own data snapshot.
 */
final class SmokeSampleSource {

    static final int MNIST_SAMPLES = 10;

    private final ObjectStore store;

    SmokeSampleSource(ObjectStore store) {
        this.store = store;
    }

    /**
     * The samples of a run of {@code pipeline} on the data at {@code dataDir}.
     *
     * @throws IllegalArgumentException saying which object or line is missing or wrong, and what to do
     */
    List<SmokeSample> samplesFor(PipelineDefinition pipeline, S3Location dataDir) {
        if (pipeline.smokeTest().samples().isPresent()) {
            S3Location samples = pipeline.smokeTest().samples().get();
            return SmokeSamples.fromJsonLines(new String(read(samples, pipeline), StandardCharsets.UTF_8), samples.uri());
        }
        if (pipeline.validation().isBuiltin("mnist-idx")) {
            try {
                return SmokeSamples.fromMnist(MnistData.load(store, dataDir, MnistSplit.TEST), MNIST_SAMPLES);
            } catch (DataValidationException e) {
                throw new IllegalArgumentException("the smoke test takes its samples from the snapshot's test images, "
                        + "which cannot be read: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("pipeline " + pipeline.name() + " has no smoke-test samples; set"
                + " smokeTest.samples to an s3://bucket/key of JSON lines in config/pipelines/" + pipeline.name() + ".yaml");
    }

    private byte[] read(S3Location samples, PipelineDefinition pipeline) {
        try {
            return store.read(samples);
        } catch (S3Exception e) {
            // No such key and no such bucket both answer 404.
            if (e.statusCode() != 404) {
                throw new IllegalArgumentException("cannot read the smoke-test samples " + samples.uri() + ": "
                        + e.getMessage() + "; check that Caravan's S3 credentials may read it", e);
            }
            throw new IllegalArgumentException("the smoke-test samples " + samples.uri() + " do not exist; upload a"
                    + " JSON-lines file there, one {\"instances\": [...], \"expected\": {\"classes\": [7]}} per line, or"
                    + " change smokeTest.samples in config/pipelines/" + pipeline.name() + ".yaml", e);
        }
    }
}
