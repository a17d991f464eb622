package dev.caravan.smoketest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.serving.PredictRequestJson;
import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.storage.S3Location;

/**
 * Checks a freshly served model version over gRPC, as any TensorFlow Serving client would: sends its pipeline's
 * samples, and passes when the expected version answered all of them and enough as expected.
 */
public final class SmokeTest {

    private final ModelServerClient client;
    private final SmokeSampleSource samples;

    SmokeTest(ModelServerClient client, SmokeSampleSource samples) {
        this.client = client;
        this.samples = samples;
    }

    /**
     * Tests {@code version} of the pipeline's model with the pipeline's samples (for a run on {@code dataDir});
     * samples that cannot be read, like a server that cannot answer, give a failed report, not an exception.
     */
    public SmokeTestReport run(PipelineDefinition pipeline, S3Location dataDir, long version) {
        List<SmokeSample> sent;
        try {
            sent = samples.samplesFor(pipeline, dataDir);
        } catch (IllegalArgumentException e) {
            return SmokeTestReport.unanswered(pipeline.model(), version, List.of(), List.of(), e.getMessage());
        }
        return run(pipeline.model(), version, sent, pipeline.smokeTest().minCorrect());
    }

    /**
     * Sends {@code sent} to the version of {@code model} now served.
     *
     * @param minCorrect the share of samples that must be answered as expected, 0..1 (0.9 for 9 of 10)
     */
    public SmokeTestReport run(String model, long expectedVersion, List<SmokeSample> sent, double minCorrect) {
        if (minCorrect < 0 || minCorrect > 1) {
            throw new IllegalArgumentException("the share of correct samples must be within 0..1, not " + minCorrect);
        }
        Map<String, Map<String, DataType>> signatures = new HashMap<>();
        List<SmokeTestReport.SampleResult> results = new ArrayList<>();
        for (SmokeSample sample : sent) {
            try {
                PredictResponse response = client.predict(request(model, sample, signatures));
                results.add(new SmokeTestReport.SampleResult(sample, Answers.of(response),
                        response.getModelSpec().getVersion().getValue(), Answers.mismatch(sample.expected(), response)));
            } catch (PredictException e) {
                return SmokeTestReport.unanswered(model, expectedVersion, sent, results, e.getMessage());
            } catch (IllegalArgumentException e) {
                return SmokeTestReport.unanswered(model, expectedVersion, sent, results, "sample " + sample.name()
                        + " does not fit model " + model + ": " + e.getMessage());
            }
        }
        return SmokeTestReport.judge(model, expectedVersion, minCorrect, sent, results);
    }

    // Each signature's input dtypes are asked for once per test: JSON numbers carry none.
    private PredictRequest request(String model, SmokeSample sample, Map<String, Map<String, DataType>> signatures) {
        PredictRequestJson json = PredictRequestJson.parse(sample.request());
        Map<String, DataType> inputTypes = signatures.computeIfAbsent(json.signatureName(),
                name -> client.inputTypes(model, name));
        ModelSpec.Builder spec = ModelSpec.newBuilder().setName(model);
        if (!json.signatureName().isEmpty()) {
            spec.setSignatureName(json.signatureName());
        }
        return json.toProto(spec.build(), inputTypes);
    }
}
