package dev.caravan.api;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.registry.ModelOperations;
import dev.caravan.serving.ServingException;

/** Errors as problem-details JSON whose detail says what was wrong and what to do. */
@RestControllerAdvice
class ApiErrors {

    @ExceptionHandler({RunOperations.RunNotFoundException.class, ModelOperations.ModelNotFoundException.class,
            PipelineCatalog.UnknownPipelineException.class})
    ProblemDetail notFound(RuntimeException e) {
        return problem(HttpStatus.NOT_FOUND, "Not found", e);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badRequest(IllegalArgumentException e) {
        return problem(HttpStatus.BAD_REQUEST, "Bad request", e);
    }

    @ExceptionHandler(IllegalStateException.class)
    ProblemDetail conflict(IllegalStateException e) {
        return problem(HttpStatus.CONFLICT, "Conflict", e);
    }

    @ExceptionHandler(ServingException.class)
    ProblemDetail serving(ServingException e) {
        return problem(HttpStatus.BAD_GATEWAY, "Model server failed", e);
    }

    private static ProblemDetail problem(HttpStatus status, String title, RuntimeException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setTitle(title);
        return problem;
    }
}
