package dev.caravan.testutil;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A second pipeline beside {@link Pipelines#mnist()}: model {@code fashion}, its data in the same bucket under
 * {@code data/fashion/}, trained by the built-in MLP. Defined by settings, as a {@code config/pipelines/fashion.yaml}
 * would define it.
 */
public final class FashionPipeline {

    public static final String NAME = "fashion";

    private FashionPipeline() {
    }

    public static Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("caravan.pipelines.fashion.model", "fashion");
        settings.put("caravan.pipelines.fashion.source.bucket", "tfmnist");
        settings.put("caravan.pipelines.fashion.source.prefix", "data/fashion/");
        settings.put("caravan.pipelines.fashion.trainer.builtin", "mnist-mlp");
        settings.put("caravan.pipelines.fashion.trainer.parameters.trainSteps", "500");
        settings.put("caravan.pipelines.fashion.trainer.parameters.batchSize", "100");
        settings.put("caravan.pipelines.fashion.trainer.parameters.learningRate", "0.01");
        settings.put("caravan.pipelines.fashion.gate.min", "0.8");
        return settings;
    }

    /** The {@code mnist} and {@code fashion} pipelines' settings together. */
    public static Map<String, Object> withMnist() {
        Map<String, Object> settings = new LinkedHashMap<>(Pipelines.mnist());
        settings.putAll(settings());
        return settings;
    }
}
