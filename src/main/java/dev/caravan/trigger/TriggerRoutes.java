package dev.caravan.trigger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.camel.spi.RouteTemplateParameterSource;
import org.springframework.stereotype.Component;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;

/**
 * The trigger routes of every pipeline, made by Camel at start from the templates in
 * {@code routes/retrain-on-data.camel.yaml}: {@code retrain-on-marker-<pipeline>} for each, and
 * {@code retrain-on-quiet-prefix-<pipeline>} for those with a quiet period; and from
 * {@code routes/retrain-on-s3-events.camel.yaml}, {@code retrain-on-sqs-events} when an SQS queue is set.
 */
@Component
class TriggerRoutes implements RouteTemplateParameterSource {

    static final String ON_MARKER = "retrain-on-marker";
    static final String ON_QUIET_PREFIX = "retrain-on-quiet-prefix";
    static final String ON_SQS_EVENTS = "retrain-on-sqs-events";

    private final Map<String, Map<String, Object>> routes = new LinkedHashMap<>();

    TriggerRoutes(PipelineCatalog pipelines, TriggerSettings settings) {
        long pollMillis = settings.pollInterval().toMillis();
        for (PipelineDefinition pipeline : pipelines.all()) {
            PipelineDefinition.Source source = pipeline.source();
            routes.put(ON_MARKER + "-" + pipeline.name(), Map.of(TEMPLATE_ID, ON_MARKER, "pipeline", pipeline.name(),
                    "bucket", source.bucket(), "markerKey", source.markerKey(), "pollMillis", pollMillis));
            if (source.quietPeriodEnabled()) {
                routes.put(ON_QUIET_PREFIX + "-" + pipeline.name(), Map.of(TEMPLATE_ID, ON_QUIET_PREFIX,
                        "pipeline", pipeline.name(), "bucket", source.bucket(), "prefix", source.prefix(),
                        "quietMillis", source.quietPeriod().toMillis(), "quietPeriod", source.quietPeriod().toString(),
                        "pollMillis", pollMillis));
            }
        }
        if (settings.sqs().enabled()) {
            routes.put(ON_SQS_EVENTS, Map.of(TEMPLATE_ID, ON_SQS_EVENTS, "queue", settings.sqs().queue()));
        }
    }

    @Override
    public Map<String, Object> parameters(String routeId) {
        return routes.get(routeId);
    }

    @Override
    public Set<String> routeIds() {
        return routes.keySet();
    }
}
