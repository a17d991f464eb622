package dev.caravan.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.TimeZone;
import java.util.TreeMap;

import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;

/**
 * A schedule as Quartz keeps it: a job (model, policy, deadline and parameters in its data, as strings) and a cron
 * trigger of the same name (expression and time zone). Quartz's tables are the only place a schedule is stored.
 */
final class ScheduleJobs {

    static final String GROUP = "caravan-schedules";

    private static final String MODEL = "model";
    private static final String POLICY = "concurrencyPolicy";
    private static final String DEADLINE = "startingDeadline";
    private static final String CREATED = "createdAt";
    private static final String PARAMETER = "parameter.";

    private ScheduleJobs() {
    }

    static JobKey jobKey(String name) {
        return JobKey.jobKey(name, GROUP);
    }

    static TriggerKey triggerKey(String name) {
        return TriggerKey.triggerKey(name, GROUP);
    }

    static JobDetail job(Schedule schedule) {
        JobDataMap data = new JobDataMap();
        data.put(MODEL, schedule.model());
        data.put(POLICY, schedule.concurrencyPolicy().name());
        data.put(DEADLINE, schedule.startingDeadline() == null ? "" : schedule.startingDeadline().toString());
        data.put(CREATED, schedule.createdAt().toString());
        schedule.parameters().forEach((name, value) -> data.put(PARAMETER + name, value));
        return JobBuilder.newJob(ScheduleJob.class).withIdentity(jobKey(schedule.name()))
                .withDescription("retrain " + schedule.model() + " at '" + schedule.cron() + "' " + schedule.timeZone())
                .usingJobData(data).build();
    }

    /**
     * The cron trigger. After a misfire (Caravan was down, or the fire came later than Quartz's misfire threshold)
     * it fires once and proceeds; {@link ScheduleFirer} then applies the starting deadline.
     */
    static CronTrigger trigger(Schedule schedule) {
        return TriggerBuilder.newTrigger().withIdentity(triggerKey(schedule.name())).forJob(jobKey(schedule.name()))
                .startAt(Date.from(schedule.createdAt()))
                .withSchedule(CronScheduleBuilder.cronSchedule(schedule.cron())
                        .inTimeZone(TimeZone.getTimeZone(schedule.timeZone()))
                        .withMisfireHandlingInstructionFireAndProceed())
                .build();
    }

    /** The model of a schedule's job, for the record of a fire that failed before reading the whole schedule. */
    static String model(JobDetail job) {
        return Objects.requireNonNullElse(job.getJobDataMap().getString(MODEL), "unknown");
    }

    static Schedule schedule(JobDetail job, CronTrigger trigger) {
        JobDataMap data = job.getJobDataMap();
        Map<String, String> parameters = new TreeMap<>();
        for (String key : data.getKeys()) {
            if (key.startsWith(PARAMETER)) {
                parameters.put(key.substring(PARAMETER.length()), data.getString(key));
            }
        }
        String deadline = data.getString(DEADLINE);
        return new Schedule(job.getKey().getName(), data.getString(MODEL), trigger.getCronExpression(),
                trigger.getTimeZone().toZoneId(), ConcurrencyPolicy.valueOf(data.getString(POLICY)),
                deadline == null || deadline.isEmpty() ? null : Duration.parse(deadline), parameters,
                Instant.parse(data.getString(CREATED)));
    }
}
