package dev.caravan.api;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import dev.caravan.pipeline.RetrainCoordinator;
import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.RunQueries;
import dev.caravan.pipeline.RunStore;
import dev.caravan.pipeline.RunView;
import dev.caravan.training.TrainingBackend;
import dev.caravan.training.TrainingException;
import dev.caravan.training.TrainingProgress;

/** Runs over HTTP: list, get, submit, retry, resubmit, stop, logs and training curves. */
@RestController
@RequestMapping("/api/runs")
class RunController {

    /**
     * A submission's body: the pipeline (or model) to retrain, none for the only one, and parameter values that
     * differ from the pipeline's.
     */
    record SubmitRequest(String pipeline, Map<String, String> parameters) {

        Map<String, String> settings() {
            return parameters == null ? Map.of() : parameters;
        }
    }

    /** The statuses and outcomes a run can have, for filtering. */
    private static final List<String> STATUSES = List.of("QUEUED", "STARTED", "COMPLETED", "FAILED", "STOPPED",
            "DROPPED", "PROMOTED", "REJECTED", "SUPERSEDED");

    private final RunQueries queries;
    private final RunOperations operations;
    private final RunStore runs;
    private final TrainingBackend training;

    RunController(RunQueries queries, RunOperations operations, RunStore runs, TrainingBackend training) {
        this.queries = queries;
        this.operations = operations;
        this.runs = runs;
        this.training = training;
    }

    @GetMapping
    List<Run> list(@RequestParam(required = false) String status, @RequestParam(required = false) String model,
                   @RequestParam(required = false) Duration since, @RequestParam(defaultValue = "100") int limit) {
        if (status != null && !STATUSES.contains(status.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("status '" + status + "' is not one a run can have; use one of "
                    + String.join(", ", STATUSES) + " (a status, or an outcome of an ended run)");
        }
        Instant after = since == null ? null : Instant.now().minus(since);
        return runs.list(status, model, after, Math.max(1, Math.min(limit, 10_000)));
    }

    @GetMapping("/{name}")
    RunView get(@PathVariable String name) {
        return queries.get(name).orElseThrow(() -> new RunOperations.RunNotFoundException(name));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    RunOperations.Submission submit(@RequestBody(required = false) SubmitRequest request) {
        return started(operations.submit(request == null ? null : request.pipeline(),
                request == null ? Map.of() : request.settings(), "api"));
    }

    @PostMapping("/{name}/retry")
    @ResponseStatus(HttpStatus.ACCEPTED)
    RunOperations.Submission retry(@PathVariable String name) {
        return operations.retry(name);
    }

    @PostMapping("/{name}/resubmit")
    @ResponseStatus(HttpStatus.ACCEPTED)
    RunOperations.Submission resubmit(@PathVariable String name, @RequestBody(required = false) SubmitRequest request) {
        return started(operations.resubmit(name, request == null ? Map.of() : request.settings(),
                "api resubmit of " + name));
    }

    /** A request that started nothing, because its run completed before, is a conflict: 409 saying so. */
    private static RunOperations.Submission started(RunOperations.Submission submission) {
        if (submission.admission() == RetrainCoordinator.Admission.DONE) {
            throw new IllegalStateException("run " + submission.run() + " already trained on snapshot "
                    + submission.snapshot() + " with these settings, so nothing was started; upload new data, or change"
                    + " a setting (-p trainSteps=2000)");
        }
        return submission;
    }

    /** Stops a run: 202 with what happens next; the run is STOPPED once its step lets go. */
    @PostMapping("/{name}/stop")
    @ResponseStatus(HttpStatus.ACCEPTED)
    RunOperations.StopRequest stop(@PathVariable String name) {
        return operations.stop(name, "a request through the API");
    }

    /**
     * One point of a run's curves: the step, the total steps its trainer reported (null when it reported none, as a
     * command trainer may not), and the loss and accuracy on the step's batch.
     */
    record Scalar(int step, Integer totalSteps, double loss, double accuracy) {

        static Scalar of(TrainingProgress progress) {
            return new Scalar(progress.step(), progress.totalSteps() > 0 ? progress.totalSteps() : null,
                    progress.loss(), progress.accuracy());
        }
    }

    @GetMapping("/{name}/scalars")
    List<Scalar> scalars(@PathVariable String name) {
        get(name);
        return runs.scalars(name).stream().map(Scalar::of).toList();
    }

    /**
     * The trainer's log of the run, from whichever runtime trained it; with {@code follow}, streamed as it grows until
     * the run ends; with {@code replica} ({@code worker-1}, {@code ps-0}), that replica's of a distributed training
     * instead of the chief's. A log that cannot be had (a pod cleaned up, no such replica) is not found: 404 with the
     * reason, as long as none of the log was sent; once some was, the reason ends the text.
     */
    @GetMapping(value = "/{name}/logs", produces = MediaType.TEXT_PLAIN_VALUE)
    StreamingResponseBody logs(@PathVariable String name, @RequestParam(defaultValue = "false") boolean follow,
            @RequestParam(required = false) String replica) {
        get(name);
        return out -> {
            WrittenTo log = new WrittenTo(out);
            try {
                training.copyLog(name, replica, log,
                        follow ? () -> runs.find(name).map(Run::endedAt).isEmpty() : () -> false);
            } catch (TrainingException e) {
                if (!log.written) {
                    throw new LogNotFoundException(e.getMessage());
                }
                out.write(("\nthe trainer log broke off: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    @ExceptionHandler(LogNotFoundException.class)
    ProblemDetail logNotFound(LogNotFoundException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setTitle("Not found");
        return problem;
    }

    /** A run's log, or its replica's, that the runtime cannot give; its message says why. */
    static class LogNotFoundException extends RuntimeException {

        LogNotFoundException(String message) {
            super(message);
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
