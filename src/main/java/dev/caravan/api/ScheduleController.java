package dev.caravan.api;

import java.net.URI;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.caravan.schedule.ScheduleErrors;
import dev.caravan.schedule.ScheduleRequest;
import dev.caravan.schedule.ScheduleView;
import dev.caravan.schedule.Schedules;

/**
 * Retrain schedules over HTTP: list, create, show one with its next fire times and recent fires, delete. A bad
 * field is a 400 problem whose {@code field} and {@code reason} say which and why.
 */
@RestController
@RequestMapping("/api/schedules")
class ScheduleController {

    private final Schedules schedules;

    ScheduleController(Schedules schedules) {
        this.schedules = schedules;
    }

    @GetMapping
    List<ScheduleView> list() {
        return schedules.list();
    }

    @PostMapping
    ResponseEntity<ScheduleView> create(@RequestBody ScheduleRequest request) {
        ScheduleView created = schedules.create(request);
        return ResponseEntity.created(URI.create("/api/schedules/" + created.name())).body(created);
    }

    @GetMapping("/{name}")
    ScheduleView get(@PathVariable String name) {
        return schedules.get(name);
    }

    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String name) {
        schedules.delete(name);
    }

    @ExceptionHandler(ScheduleErrors.Invalid.class)
    ProblemDetail invalid(ScheduleErrors.Invalid e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "Invalid schedule", e);
        problem.setProperty("field", e.field());
        problem.setProperty("reason", e.reason());
        return problem;
    }

    @ExceptionHandler(ScheduleErrors.NotFound.class)
    ProblemDetail notFound(ScheduleErrors.NotFound e) {
        return problem(HttpStatus.NOT_FOUND, "Not found", e);
    }

    @ExceptionHandler(ScheduleErrors.Duplicate.class)
    ProblemDetail duplicate(ScheduleErrors.Duplicate e) {
        return problem(HttpStatus.CONFLICT, "Conflict", e);
    }

    @ExceptionHandler(ScheduleErrors.StoreFailed.class)
    ProblemDetail storeFailed(ScheduleErrors.StoreFailed e) {
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Schedule store failed", e);
    }

    private static ProblemDetail problem(HttpStatus status, String title, RuntimeException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setTitle(title);
        return problem;
    }
}
