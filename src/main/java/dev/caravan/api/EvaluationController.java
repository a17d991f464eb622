package dev.caravan.api;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import dev.caravan.evaluation.EvaluationStore;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.RunStore;

/**
 * A run's evaluation over HTTP: the metric ({@code accuracy}), the gate's verdict with its threshold and reason and,
 * for a classifier Caravan evaluated, the confusion matrix (rows are true labels, columns predicted ones) and the
 * first misclassified test images as PNG data URIs. 404 until the run's evaluate step has judged it.
 */
@RestController
class EvaluationController {

    private final RunStore runs;
    private final EvaluationStore evaluations;

    EvaluationController(RunStore runs, EvaluationStore evaluations) {
        this.runs = runs;
        this.evaluations = evaluations;
    }

    @GetMapping("/api/runs/{name}/evaluation")
    EvaluationStore.RunEvaluation evaluation(@PathVariable String name) {
        runs.find(name).orElseThrow(() -> new RunOperations.RunNotFoundException(name));
        return evaluations.find(name).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "run " + name + " has no evaluation yet: its evaluate step has not judged a trained model; "
                        + "it has one once that step ends (caravan get " + name + " shows its steps)"));
    }
}
