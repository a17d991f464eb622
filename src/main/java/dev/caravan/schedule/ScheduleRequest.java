package dev.caravan.schedule;

import java.util.Map;

/**
 * What a user asks for when creating a schedule, as written: {@link Schedules#create} checks each field and says
 * which one is wrong and why. Only {@code name} and {@code cron} are required.
 */
public record ScheduleRequest(String name, String model, String cron, String timeZone, String concurrencyPolicy,
                              String startingDeadline, Map<String, String> parameters) {
}
