package dev.caravan.api;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.RunStore;
import dev.caravan.training.TrainingBackend;
import dev.caravan.training.TrainingException;

/** A run's trainer log over HTTP: as text, or as server-sent events for a browser that follows it. */
@RestController
@RequestMapping("/api/runs/{name}/logs")
class RunLogController {

    private static final long STREAM_MILLIS = Duration.ofHours(2).toMillis();

    private final RunStore runs;
    private final TrainingBackend training;
    private final Set<SseEmitter> streams = ConcurrentHashMap.newKeySet();
    // copyLog blocks while it follows; each stream gets a thread of its own, and none outlives the server.
    private final ExecutorService followers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "caravan-log-stream");
        thread.setDaemon(true);
        return thread;
    });

    RunLogController(RunStore runs, TrainingBackend training) {
        this.runs = runs;
        this.training = training;
    }

    /**
     * The trainer's log of the run, from whichever runtime trained it; with {@code follow}, streamed as it grows until
     * the run ends; with {@code replica} ({@code worker-1}, {@code ps-0}), that replica's of a distributed training
     * instead of the chief's. A log that cannot be had (a pod cleaned up, no such replica) is not found: 404 with the
     * reason, as long as none of the log was sent; once some was, the reason ends the text.
     */
    @GetMapping(produces = MediaType.TEXT_PLAIN_VALUE)
    StreamingResponseBody logs(@PathVariable String name, @RequestParam(defaultValue = "false") boolean follow,
            @RequestParam(required = false) String replica) {
        find(name);
        return out -> {
            WrittenTo log = new WrittenTo(out);
            try {
                training.copyLog(name, replica, log, follow ? () -> going(name) : () -> false);
            } catch (TrainingException e) {
                if (!log.written) {
                    throw new LogNotFoundException(e.getMessage());
                }
                out.write(("\nthe trainer log broke off: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    /**
     * The log followed as server-sent events: {@code event: line} per line (UTF-8, without its end), then
     * {@code event: end} with the run's status once it ended and its log is whole, or {@code event: problem} with
     * why there is no (more) log. A client closes on either; EventSource would otherwise reconnect and start over.
     */
    @GetMapping(value = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(@PathVariable String name, @RequestParam(required = false) String replica) {
        find(name);
        SseEmitter stream = new SseEmitter(STREAM_MILLIS);
        streams.add(stream);
        stream.onCompletion(() -> streams.remove(stream));
        followers.execute(() -> follow(name, replica, stream));
        return stream;
    }

    private void follow(String name, String replica, SseEmitter stream) {
        try (Lines lines = new Lines(stream)) {
            training.copyLog(name, replica, lines, () -> going(name));
            lines.flush();
            stream.send(SseEmitter.event().name("end").data(runs.find(name).map(Run::status).orElse("UNKNOWN")));
            stream.complete();
        } catch (TrainingException e) {
            try {
                stream.send(SseEmitter.event().name("problem").data(e.getMessage()));
                stream.complete();
            } catch (IOException | IllegalStateException gone) {
                stream.completeWithError(gone);
            }
        } catch (IOException | IllegalStateException gone) {
            // The browser went away; following stops here.
            stream.completeWithError(gone);
        }
    }

    private boolean going(String name) {
        return runs.find(name).map(Run::endedAt).isEmpty();
    }

    private Run find(String name) {
        return runs.find(name).orElseThrow(() -> new RunOperations.RunNotFoundException(name));
    }

    @ExceptionHandler(LogNotFoundException.class)
    ProblemDetail logNotFound(LogNotFoundException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setTitle("Not found");
        return problem;
    }

    /** Ends every stream as Caravan begins to shut down, so none holds the web server's graceful shutdown. */
    @EventListener(ContextClosedEvent.class)
    void close() {
        followers.shutdownNow();
        streams.forEach(SseEmitter::complete);
        streams.clear();
    }

    /** A run's log, or its replica's, that the runtime cannot give; its message says why. */
    static class LogNotFoundException extends RuntimeException {

        LogNotFoundException(String message) {
            super(message);
        }
    }

    /** Turns the bytes of a log into one event per line; a line in progress waits for its end, or for flush. */
    private static final class Lines extends OutputStream {

        private final SseEmitter stream;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Lines(SseEmitter stream) {
            this.stream = stream;
        }

        @Override
        public void write(int b) throws IOException {
            if (b == '\n') {
                send();
            } else if (b != '\r') {
                line.write(b);
            }
        }

        @Override
        public void flush() throws IOException {
            if (line.size() > 0) {
                send();
            }
        }

        private void send() throws IOException {
            stream.send(SseEmitter.event().name("line").data(line.toString(StandardCharsets.UTF_8)));
            line.reset();
        }
    }

    /** A stream that tells whether anything reached it, so a failure before the first byte can still be a 404. */
    private static final class WrittenTo extends FilterOutputStream {

        private volatile boolean written;

        WrittenTo(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            written = true;
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            written |= len > 0;
            out.write(b, off, len);
        }
    }
}
