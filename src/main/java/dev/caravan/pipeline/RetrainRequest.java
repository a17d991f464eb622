package dev.caravan.pipeline;

import java.util.Map;

/**
 * A request to retrain {@code model} on a data snapshot, with training settings that differ from the configured
 * ones, and where it came from (a route, the API, a schedule) for the record.
 */
public record RetrainRequest(String model, String snapshot, Map<String, String> settings, String origin) {

    public RetrainRequest {
        settings = Map.copyOf(settings);
    }
}
