package dev.caravan.api;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.pipeline.RunEvent;
import dev.caravan.registry.ModelEvent;

/**
 * What happens in runs and to served models, as it happens, as server-sent events (WHATWG HTML "Server-sent
 * events"): {@code event: run} with a {@link RunEvent}, {@code event: model} with a {@link ModelEvent}, each as JSON
 * with its record name as {@code type} and durations in milliseconds ({@code durationMs}); a comment every 15 s
 * keeps idle connections open through proxies. A stream lasts 10 minutes; browsers' EventSource reconnects.
 */
@RestController
class EventController {

    private static final long STREAM_MILLIS = Duration.ofMinutes(10).toMillis();

    private final Set<SseEmitter> streams = ConcurrentHashMap.newKeySet();
    private final ObjectMapper json;
    // One thread sends, in the order events happened, so a slow client never holds up the run that published them.
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "caravan-events");
        thread.setDaemon(true);
        return thread;
    });

    EventController(ObjectMapper json) {
        this.json = json;
        sender.scheduleWithFixedDelay(this::heartbeat, 15, 15, TimeUnit.SECONDS);
    }

    @GetMapping("/api/events")
    SseEmitter events() {
        SseEmitter stream = new SseEmitter(STREAM_MILLIS);
        stream.onCompletion(() -> streams.remove(stream));
        stream.onTimeout(stream::complete);
        stream.onError(e -> streams.remove(stream));
        streams.add(stream);
        return stream;
    }

    /** True while no client follows the events. */
    boolean isIdle() {
        return streams.isEmpty();
    }

    @EventListener
    void on(RunEvent event) {
        publish("run", event);
    }

    @EventListener
    void on(ModelEvent event) {
        publish("model", event);
    }

    /** The event as JSON: its fields, {@code type}, a duration as {@code durationMs}, training progress flattened. */
    Map<String, Object> body(Object event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", event.getClass().getSimpleName());
        body.putAll(json.convertValue(event, Map.class));
        if (event instanceof RunEvent.StepFinished finished) {
            body.remove("duration");
            body.put("durationMs", finished.duration() == null ? null : finished.duration().toMillis());
        }
        if (event instanceof RunEvent.TrainingProgressed progressed) {
            body.remove("progress");
            body.put("step", progressed.progress().step());
            body.put("totalSteps", progressed.progress().totalSteps());
            body.put("loss", progressed.progress().loss());
            body.put("accuracy", progressed.progress().accuracy());
        }
        return body;
    }

    private void publish(String name, Object event) {
        if (streams.isEmpty()) {
            return;
        }
        Map<String, Object> body = body(event);
        sender.execute(() -> streams.forEach(stream -> send(stream, SseEmitter.event().name(name).data(body))));
    }

    private void heartbeat() {
        streams.forEach(stream -> send(stream, SseEmitter.event().comment("heartbeat")));
    }

    private void send(SseEmitter stream, SseEmitter.SseEventBuilder event) {
        try {
            stream.send(event);
        } catch (IOException | IllegalStateException e) {
            // The client went away: its stream ends here, as it would have on its own.
            streams.remove(stream);
            stream.completeWithError(e);
        }
    }

    /**
     * Ends every stream as Caravan begins to shut down, before the web server waits for requests in flight: an open
     * stream would otherwise hold that graceful shutdown until its timeout.
     */
    @EventListener(ContextClosedEvent.class)
    void close() {
        sender.shutdownNow();
        streams.forEach(SseEmitter::complete);
        streams.clear();
    }
}
