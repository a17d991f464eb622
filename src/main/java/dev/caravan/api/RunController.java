package dev.caravan.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.caravan.pipeline.RetrainCoordinator;
import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.RunQueries;
import dev.caravan.pipeline.RunStore;
import dev.caravan.pipeline.RunView;
import dev.caravan.training.TrainingProgress;

/** Runs over HTTP: list, get, submit, retry, resubmit, stop and training curves; {@link RunLogController} has logs. */
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

    /** The User-Agent Caravan's CLI sends, so a run it asked for says so. */
    static final String CLI_AGENT = "caravan-cli";

    private final RunQueries queries;
    private final RunOperations operations;
    private final RunStore runs;

    RunController(RunQueries queries, RunOperations operations, RunStore runs) {
        this.queries = queries;
        this.operations = operations;
        this.runs = runs;
    }

    /**
     * The newest runs first, {@code limit} (1 to 10,000) after the first {@code offset}; the header
     * {@code X-Total-Count} gives how many match, for paging.
     */
    @GetMapping
    ResponseEntity<List<Run>> list(@RequestParam(required = false) String status,
            @RequestParam(required = false) String model, @RequestParam(required = false) Duration since,
            @RequestParam(defaultValue = "100") int limit, @RequestParam(defaultValue = "0") int offset) {
        if (status != null && !STATUSES.contains(status.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("status '" + status + "' is not one a run can have; use one of "
                    + String.join(", ", STATUSES) + " (a status, or an outcome of an ended run)");
        }
        Instant after = since == null ? null : Instant.now().minus(since);
        return ResponseEntity.ok().header("X-Total-Count", String.valueOf(runs.count(status, model, after)))
                .body(runs.list(status, model, after, Math.max(1, Math.min(limit, 10_000)), Math.max(0, offset)));
    }

    @GetMapping("/{name}")
    RunView get(@PathVariable String name) {
        return queries.get(name).orElseThrow(() -> new RunOperations.RunNotFoundException(name));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    RunOperations.Submission submit(@RequestBody(required = false) SubmitRequest request,
            @RequestHeader(value = "User-Agent", required = false) String agent) {
        return started(operations.submit(request == null ? null : request.pipeline(),
                request == null ? Map.of() : request.settings(),
                agent != null && agent.startsWith(CLI_AGENT) ? "cli" : "api"));
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
}
