package dev.caravan.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A retrain schedule: the model it retrains, when (a Quartz cron expression read in a time zone), what a fire does
 * while a run is going, how late a fire may still start ({@code startingDeadline}, null for no limit), and the
 * training settings of its runs.
 */
public record Schedule(String name, String model, String cron, ZoneId timeZone, ConcurrencyPolicy concurrencyPolicy,
                       Duration startingDeadline, Map<String, String> parameters, Instant createdAt) {

    public Schedule {
        parameters = Collections.unmodifiableMap(new TreeMap<>(parameters));
    }
}
