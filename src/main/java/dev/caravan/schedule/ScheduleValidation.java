package dev.caravan.schedule;

import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.quartz.CronExpression;
import org.springframework.boot.convert.DurationStyle;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;

/** Turns a create request into a {@link Schedule}, or names the field that is wrong and says why. */
final class ScheduleValidation {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final String CRON_FORM = "Quartz cron has 6 or 7 fields: second minute hour day-of-month month "
            + "day-of-week [year], with '?' in one of the day fields, e.g. '0 0 2 * * ?' for 02:00 every day";

    private final PipelineCatalog pipelines;

    /** Checks requests against the pipelines there are: a schedule retrains one of them. */
    ScheduleValidation(PipelineCatalog pipelines) {
        this.pipelines = pipelines;
    }

    Schedule schedule(ScheduleRequest request, Instant now) {
        String name = name(request.name());
        PipelineDefinition pipeline = pipeline(request.model());
        String model = pipeline.model();
        ZoneId zone = zone(request.timeZone());
        String cron = cron(request.cron(), zone, now);
        ConcurrencyPolicy policy = policy(request.concurrencyPolicy());
        Duration deadline = deadline(request.startingDeadline());
        Map<String, String> parameters = parameters(pipeline, request.parameters());
        return new Schedule(name, model, cron, zone, policy, deadline, parameters, now);
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) {
            throw new ScheduleErrors.Invalid("name", "a schedule needs a name, such as nightly");
        }
        if (name.length() > 63 || !NAME.matcher(name).matches()) {
            throw new ScheduleErrors.Invalid("name", "'" + name + "' must be at most 63 lower-case letters, digits "
                    + "and '-', starting and ending with a letter or digit");
        }
        return name;
    }

    private PipelineDefinition pipeline(String requested) {
        try {
            return pipelines.resolve(requested);
        } catch (PipelineCatalog.UnknownPipelineException e) {
            throw new ScheduleErrors.Invalid("model", e.getMessage());
        }
    }

    private static String cron(String cron, ZoneId zone, Instant now) {
        if (cron == null || cron.isBlank()) {
            throw new ScheduleErrors.Invalid("cron", "a schedule needs a cron expression; " + CRON_FORM);
        }
        String expression = cron.trim();
        if (expression.split("\\s+").length == 5) {
            throw new ScheduleErrors.Invalid("cron", "'" + expression + "' has 5 fields, as Unix cron does; " + CRON_FORM);
        }
        try {
            CronExpression.validateExpression(expression);
        } catch (ParseException e) {
            throw new ScheduleErrors.Invalid("cron", "'" + expression + "' is not valid (" + e.getMessage() + "); "
                    + CRON_FORM);
        }
        if (FireTimes.of(expression, zone).after(now).isEmpty()) {
            throw new ScheduleErrors.Invalid("cron", "'" + expression + "' never fires after now");
        }
        return expression;
    }

    private static ZoneId zone(String zone) {
        if (zone == null || zone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(zone.trim());
        } catch (DateTimeException e) {
            throw new ScheduleErrors.Invalid("timeZone", "'" + zone + "' is not a time zone; use a region such as "
                    + "Europe/Berlin or America/New_York, or UTC");
        }
    }

    private static ConcurrencyPolicy policy(String policy) {
        if (policy == null || policy.isBlank()) {
            return ConcurrencyPolicy.ALLOW;
        }
        return ConcurrencyPolicy.parse(policy).orElseThrow(() -> new ScheduleErrors.Invalid("concurrencyPolicy",
                "'" + policy + "' is not a policy; use Allow, Forbid or Replace"));
    }

    private static Duration deadline(String deadline) {
        if (deadline == null || deadline.isBlank()) {
            return null;
        }
        if (deadline.trim().matches("\\d+")) {
            throw new ScheduleErrors.Invalid("startingDeadline", "'" + deadline + "' has no unit; write it as "
                    + deadline.trim() + "s, 30m, 2h or PT2H");
        }
        Duration duration;
        try {
            duration = DurationStyle.detectAndParse(deadline.trim());
        } catch (IllegalArgumentException e) {
            throw new ScheduleErrors.Invalid("startingDeadline", "'" + deadline + "' is not a duration; write it as "
                    + "30m, 2h or PT2H");
        }
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ScheduleErrors.Invalid("startingDeadline", "'" + deadline + "' is under 1s, so no fire could "
                    + "start; leave it out for no deadline");
        }
        return duration;
    }

    private static Map<String, String> parameters(PipelineDefinition pipeline, Map<String, String> parameters) {
        if (parameters == null) {
            return Map.of();
        }
        Map<String, String> checked = new TreeMap<>();
        parameters.forEach((name, value) -> {
            if (value == null || value.isBlank()) {
                throw new ScheduleErrors.Invalid("parameters", "run parameter " + name + " has no value");
            }
            try {
                checked.put(name, pipeline.parameter(name, value));
            } catch (IllegalArgumentException e) {
                throw new ScheduleErrors.Invalid("parameters", e.getMessage());
            }
        });
        return checked;
    }
}
