package dev.caravan.evaluation;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.training.TrainerEnvironment;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Reads a metric from the {@code metrics.json} a trainer wrote into {@code TF_MODEL_DIR}, in Kubeflow Pipelines'
 * {@code mlpipeline-metrics} format: {@code {"metrics": [{"name": "accuracy", "numberValue": 0.91}]}}.
 */
public final class TrainerMetrics {

    /** The file's name in {@code TF_MODEL_DIR}. */
    public static final String FILE = TrainerEnvironment.METRICS_FILE;

    private final ObjectStore store;
    private final ObjectMapper json = new ObjectMapper();

    public TrainerMetrics(ObjectStore store) {
        this.store = store;
    }

    /**
     * The value of {@code metric} in {@code modelDir/metrics.json}.
     *
     * @throws IllegalStateException naming the file and the metric when either is missing or unreadable
     */
    public double value(S3Location modelDir, String metric) {
        S3Location file = modelDir.resolve(FILE);
        JsonNode metrics;
        try {
            metrics = json.readTree(store.read(file)).path("metrics");
        } catch (NoSuchKeyException e) {
            throw new IllegalStateException("the trainer wrote no " + file + ", so the gate's metric '" + metric
                    + "' is unknown; write {\"metrics\": [{\"name\": \"" + metric + "\", \"numberValue\": ...}]} there"
                    + " (TF_MODEL_DIR/" + FILE + ")", e);
        } catch (IOException e) {
            throw new IllegalStateException(file + " is not JSON (" + e.getMessage() + "); the gate's metric '"
                    + metric + "' is unknown", e);
        }
        for (JsonNode entry : metrics) {
            if (metric.equals(entry.path("name").asText()) && entry.path("numberValue").isNumber()) {
                return entry.path("numberValue").asDouble();
            }
        }
        throw new IllegalStateException(file + " has no metric named '" + metric + "' with a numberValue; the gate "
                + "needs it (found: " + metrics + ")");
    }
}
