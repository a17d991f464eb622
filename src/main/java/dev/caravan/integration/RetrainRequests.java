package dev.caravan.integration;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.pipeline.RunOperations;


/**
 * The documented way in for any route: a message sent to {@code direct:caravan-retrain} asks for a retrain of a
 * pipeline on the data under its prefix now. The body may be a map of the trainer's parameters
 * ({@code {"trainSteps": 2000}}); the pipeline is named by the body's {@code pipeline} entry or the header
 * {@code CaravanPipeline} (either may name the model instead; none: the only pipeline); the header
 * {@code CaravanOrigin} says who asked.
 */
@Component("retrainRequests")
public class RetrainRequests {

    static final String ORIGIN_HEADER = "CaravanOrigin";
    static final String PIPELINE_HEADER = "CaravanPipeline";
    static final String PIPELINE_ENTRY = "pipeline";

    private final RunOperations operations;
    private final ObjectMapper json;

    public RetrainRequests(RunOperations operations, ObjectMapper json) {
        this.operations = operations;
        this.json = json;
    }

    /** Freezes the data and submits the request; answers with the run it became and whether it started or waits. */
    public Map<String, Object> request(Exchange exchange) {
        Map<String, String> settings = new LinkedHashMap<>();
        String pipeline = exchange.getMessage().getHeader(PIPELINE_HEADER, String.class);
        for (Map.Entry<?, ?> entry : settingsOf(exchange.getMessage()).entrySet()) {
            String name = String.valueOf(entry.getKey());
            String value = entry.getValue() == null ? null : String.valueOf(entry.getValue());
            if (name.equals(PIPELINE_ENTRY)) {
                pipeline = value;
            } else {
                settings.put(name, value);
            }
        }
        String origin = exchange.getMessage().getHeader(ORIGIN_HEADER, String.class);
        RunOperations.Submission submission = operations.submit(pipeline, settings,
                origin == null || origin.isBlank() ? "route" : origin);
        return json.convertValue(submission, Map.class);
    }

    /** A problem-details answer for a request that could not be taken, with the reason. */
    public Map<String, Object> badRequest(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("title", "Bad Request");
        problem.put("status", 400);
        problem.put("detail", cause == null ? "the request could not be taken" : cause.getMessage());
        return problem;
    }

    /** A map body as it is, a JSON text as the object it holds, nothing as no settings. */
    private Map<?, ?> settingsOf(Message message) {
        if (message.getBody() instanceof Map<?, ?> map) {
            return map;
        }
        String text = message.getBody(String.class);
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        try {
            return json.readValue(text, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a retrain request's body must be a JSON object of training settings, "
                    + "such as {\"trainSteps\": 2000}: " + e.getOriginalMessage());
        }
    }
}
