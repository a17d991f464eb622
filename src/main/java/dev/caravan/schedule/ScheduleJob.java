package dev.caravan.schedule;

import java.time.Instant;
import java.util.Date;

import org.quartz.CronTrigger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.schedule.FireRecord.Outcome;

/**
 * The Quartz job behind every schedule: one fire, decided by {@link ScheduleFirer} and recorded in the fire history.
 * Quartz runs one fire of a schedule at a time; Spring creates the job with its collaborators for each fire.
 */
@DisallowConcurrentExecution
class ScheduleJob implements Job {

    private static final Logger log = LoggerFactory.getLogger(ScheduleJob.class);

    private final ScheduleFirer firer;
    private final FireHistory history;

    ScheduleJob(ScheduleFirer firer, FireHistory history) {
        this.firer = firer;
        this.history = history;
    }

    @Override
    public void execute(JobExecutionContext context) {
        String name = context.getJobDetail().getKey().getName();
        Instant scheduledAt = context.getScheduledFireTime().toInstant();
        FireRecord fire;
        try {
            Schedule schedule = ScheduleJobs.schedule(context.getJobDetail(), cronTrigger(context));
            fire = firer.fire(schedule, scheduledAt, instant(context.getPreviousFireTime()));
        } catch (RuntimeException | SchedulerException e) {
            fire = new FireRecord(name, ScheduleJobs.model(context.getJobDetail()), scheduledAt, Instant.now(),
                    Outcome.FAILED, null, "the fire failed: " + e.getMessage());
        }
        history.record(fire);
        log.info("Schedule {} fired: {}{} {}", name, fire.outcome(), fire.run() == null ? "" : " " + fire.run(),
                fire.reason());
    }

    /** The schedule's cron trigger, also when this fire came from another trigger (such as a manual one). */
    private static CronTrigger cronTrigger(JobExecutionContext context) throws SchedulerException {
        Trigger trigger = context.getTrigger();
        if (trigger instanceof CronTrigger cron) {
            return cron;
        }
        String name = context.getJobDetail().getKey().getName();
        return (CronTrigger) context.getScheduler().getTrigger(ScheduleJobs.triggerKey(name));
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
