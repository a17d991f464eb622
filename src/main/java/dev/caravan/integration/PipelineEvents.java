package dev.caravan.integration;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.ProducerTemplate;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.pipeline.RunEvent;
import dev.caravan.registry.ModelEvent;

/**
 * Publishes the pipeline's events to a Camel endpoint ({@code caravan.integration.events-endpoint}) as maps that
 * marshal to JSON, with the event's type also in the header {@code CaravanEventType}: {@code run.started},
 * {@code step.finished}, {@code run.succeeded}, {@code run.failed}, {@code run.skipped}, {@code model.promoted},
 * {@code model.rolledBack}, {@code smoke.failed}. Any route can consume them.
 */
@Component
class PipelineEvents {

    static final String TYPE_HEADER = "CaravanEventType";

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final String endpoint;

    PipelineEvents(ProducerTemplate producer, ObjectMapper json, IntegrationProperties properties) {
        this.producer = producer;
        this.json = json;
        this.endpoint = properties.eventsEndpoint();
    }

    @EventListener
    void on(RunEvent event) {
        send(type(event), event);
    }

    @EventListener
    void on(ModelEvent event) {
        send(event instanceof ModelEvent.Promoted ? "model.promoted" : "model.rolledBack", event);
    }

    private void send(String type, Object event) {
        // While Caravan stops, the routes that could hear an event are gone, and so is the endpoint to send it to.
        if (type == null || !producer.getCamelContext().getStatus().isStarted()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("time", Instant.now().toString());
        body.putAll(json.convertValue(event, MAP));
        producer.sendBodyAndHeader(endpoint, body, TYPE_HEADER, type);
    }

    /** The public name of an event, or null for the ones kept inside (training progress: too many to publish). */
    static String type(RunEvent event) {
        if (event instanceof RunEvent.RunStarted) {
            return "run.started";
        } else if (event instanceof RunEvent.StepFinished) {
            return "step.finished";
        } else if (event instanceof RunEvent.RunFinished finished) {
            return "COMPLETED".equals(finished.status()) ? "run.succeeded" : "run.failed";
        } else if (event instanceof RunEvent.LaunchFailed) {
            return "run.failed";
        } else if (event instanceof RunEvent.Skipped) {
            return "run.skipped";
        } else if (event instanceof RunEvent.SmokeFailed) {
            return "smoke.failed";
        }
        return null;
    }
}
