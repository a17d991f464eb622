package dev.caravan.testutil;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;

/** Pipelines for tests, made from settings the way Caravan reads its pipeline files. */
public final class Pipelines {

    private Pipelines() {
    }

    /** The {@code mnist} pipeline as config/pipelines/mnist.yaml ships it, with test-sized training. */
    public static Map<String, Object> mnist() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("caravan.pipelines.mnist.model", "mnist");
        settings.put("caravan.pipelines.mnist.source.bucket", "tfmnist");
        settings.put("caravan.pipelines.mnist.source.prefix", "data/mnist/");
        settings.put("caravan.pipelines.mnist.trainer.builtin", "mnist-cnn");
        settings.put("caravan.pipelines.mnist.trainer.parameters.trainSteps", "150");
        settings.put("caravan.pipelines.mnist.trainer.parameters.batchSize", "50");
        settings.put("caravan.pipelines.mnist.trainer.parameters.learningRate", "0.001");
        settings.put("caravan.pipelines.mnist.gate.min", "0.85");
        return settings;
    }

    /**
     * A second pipeline beside {@link #mnist()}: model {@code fashion}, its data in the same bucket under
     * {@code data/fashion/}, trained by the built-in MLP, as a {@code config/pipelines/fashion.yaml} would define it.
     */
    public static Map<String, Object> fashion() {
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
    public static Map<String, Object> mnistAndFashion() {
        Map<String, Object> settings = new LinkedHashMap<>(mnist());
        settings.putAll(fashion());
        return settings;
    }

    /** A catalog of the pipelines these settings define. */
    public static PipelineCatalog catalog(Map<String, Object> settings) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test pipelines", settings));
        return new PipelineCatalog(environment);
    }

    /** The built-in CNN trainer with a test-sized timeout. */
    public static PipelineDefinition.Trainer cnnTrainer() {
        return cnnTrainer(Duration.ofMinutes(5));
    }

    /** The built-in CNN trainer with this timeout. */
    public static PipelineDefinition.Trainer cnnTrainer(Duration timeout) {
        return new PipelineDefinition.Trainer("mnist-cnn", List.of(), null, Map.of(), timeout);
    }

    /** Parameters of the built-in trainers. */
    public static Map<String, String> parameters(int trainSteps, int batchSize, double learningRate) {
        return Map.of("trainSteps", Integer.toString(trainSteps), "batchSize", Integer.toString(batchSize),
                "learningRate", Double.toString(learningRate));
    }
}
