package dev.caravan.api;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunQueries;
import dev.caravan.pipeline.RunView;

/** Runs over HTTP: what {@code caravan list} and {@code caravan get} show. */
@RestController
@RequestMapping("/api/runs")
class RunController {

    private final RunQueries runs;

    RunController(RunQueries runs) {
        this.runs = runs;
    }

    @GetMapping
    List<Run> list(@RequestParam(defaultValue = "100") int limit) {
        return runs.list(Math.max(1, Math.min(limit, 10_000)));
    }

    @GetMapping("/{name}")
    RunView get(@PathVariable String name) {
        return runs.get(name).orElseThrow(() -> notFound(name));
    }

    private static ErrorResponseException notFound(String name) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                "no run named '" + name + "'; list the runs with: caravan list");
        problem.setTitle("Run not found");
        return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
    }
}
