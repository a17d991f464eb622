package dev.caravan.pipeline;

import java.time.Duration;
import java.time.Instant;

/** One step of a run as users see it. */
public record StepView(String name, String status, Instant startedAt, Instant endedAt, Duration duration, String message) {
}
