package dev.caravan.schedule;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A schedule as the API shows it: its definition, its trigger's state in Quartz (NORMAL, PAUSED, BLOCKED...), its
 * next fire times and its recent fires, newest first.
 */
public record ScheduleView(String name, String model, String cron, String timeZone, String concurrencyPolicy,
                           String startingDeadline, Map<String, String> parameters, Instant createdAt, String state,
                           List<Instant> nextFireTimes, List<FireRecord> history) {

    static ScheduleView of(Schedule schedule, String state, List<Instant> nextFireTimes, List<FireRecord> history) {
        return new ScheduleView(schedule.name(), schedule.model(), schedule.cron(), schedule.timeZone().getId(),
                schedule.concurrencyPolicy().label(),
                schedule.startingDeadline() == null ? null : schedule.startingDeadline().toString(),
                schedule.parameters(), schedule.createdAt(), state, nextFireTimes, history);
    }
}
