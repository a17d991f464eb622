package dev.caravan.pipeline;

import java.time.Duration;
import java.time.Instant;

/**
 * A retrain run as users see it: its name, the model and data snapshot, where it stands, and what it produced.
 * {@code status} is QUEUED (waiting behind the model's run), STARTED, COMPLETED, FAILED, STOPPED, or DROPPED (it
 * waited and will not start: replaced by a newer request, or stopped). {@code outcome} says how a finished run ended:
 * PROMOTED, REJECTED (below the gate), SUPERSEDED (newer data came first: the serving version was trained on newer
 * data when it passed its gate), FAILED or STOPPED (on request). {@code trigger} says what asked for it: upload,
 * schedule, api, resubmit, cli, route, or other (an integration route's own origin header).
 */
public record Run(
        String name,
        String model,
        String snapshot,
        Long jobInstanceId,
        Long jobExecutionId,
        String status,
        String outcome,
        String message,
        Long modelVersion,
        Instant createdAt,
        Instant startedAt,
        Instant endedAt,
        String trigger) {

    /**
     * The kind of trigger an origin, as {@link RunStore} records it, names: "upload to s3://…", "schedule nightly",
     * "api", "api resubmit of …", "cli", "route"; a route's own origin header is "other".
     */
    public static String trigger(String origin) {
        if (origin == null) {
            return "other";
        }
        if (origin.startsWith("upload to ")) {
            return "upload";
        }
        if (origin.startsWith("schedule ")) {
            return "schedule";
        }
        if (origin.contains("resubmit of ")) {
            return "resubmit";
        }
        return switch (origin) {
            case "api", "cli", "route" -> origin;
            default -> "other";
        };
    }

    /** How long the run took, or has taken so far. */
    public Duration duration(Instant now) {
        if (startedAt == null) {
            return Duration.ZERO;
        }
        return Duration.between(startedAt, endedAt == null ? now : endedAt);
    }
}
