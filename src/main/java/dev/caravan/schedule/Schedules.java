package dev.caravan.schedule;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.quartz.CronTrigger;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * The retrain schedules: create, list, show and delete them. Quartz keeps them in its JDBC job store in Caravan's
 * database, so they survive restarts; each fire's outcome goes to the fire history.
 */
public class Schedules {

    static final int NEXT_FIRES = 5;
    static final int HISTORY = 20;
    /** Recent fires of each schedule in the list: enough for a dashboard row, few enough for many schedules. */
    static final int LISTED_FIRES = 5;

    private final Scheduler scheduler;
    private final FireHistory history;
    private final ScheduleValidation validation;
    private final Clock clock;

    Schedules(Scheduler scheduler, FireHistory history, ScheduleValidation validation, Clock clock) {
        this.scheduler = scheduler;
        this.history = history;
        this.validation = validation;
        this.clock = clock;
    }

    /** Checks the request and stores the schedule; it fires from its next cron time on. */
    public ScheduleView create(ScheduleRequest request) {
        Schedule schedule = validation.schedule(request, clock.instant());
        try {
            scheduler.scheduleJob(ScheduleJobs.job(schedule), ScheduleJobs.trigger(schedule));
        } catch (ObjectAlreadyExistsException e) {
            throw new ScheduleErrors.Duplicate(schedule.name());
        } catch (SchedulerException e) {
            throw new ScheduleErrors.StoreFailed("store schedule " + schedule.name(), e);
        }
        return get(schedule.name());
    }

    /** Every schedule by name, each with its next fire time and its last fire. */
    public List<ScheduleView> list() {
        try {
            List<ScheduleView> views = new ArrayList<>();
            for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(ScheduleJobs.GROUP))) {
                find(key.getName(), NEXT_FIRES, LISTED_FIRES).ifPresent(views::add);
            }
            views.sort(Comparator.comparing(ScheduleView::name));
            return views;
        } catch (SchedulerException e) {
            throw new ScheduleErrors.StoreFailed("list the schedules", e);
        }
    }

    /** The schedule with its next fire times and recent fires. */
    public ScheduleView get(String name) {
        try {
            return find(name, NEXT_FIRES, HISTORY).orElseThrow(() -> new ScheduleErrors.NotFound(name));
        } catch (SchedulerException e) {
            throw new ScheduleErrors.StoreFailed("read schedule " + name, e);
        }
    }

    /** Deletes the schedule, its trigger and its fire history; a run it submitted goes on. */
    public void delete(String name) {
        try {
            if (!scheduler.deleteJob(ScheduleJobs.jobKey(name))) {
                throw new ScheduleErrors.NotFound(name);
            }
        } catch (SchedulerException e) {
            throw new ScheduleErrors.StoreFailed("delete schedule " + name, e);
        }
        history.forget(name);
    }

    private Optional<ScheduleView> find(String name, int nextFires, int fires) throws SchedulerException {
        JobDetail job = scheduler.getJobDetail(ScheduleJobs.jobKey(name));
        if (job == null || !(scheduler.getTrigger(ScheduleJobs.triggerKey(name)) instanceof CronTrigger trigger)) {
            return Optional.empty();
        }
        Schedule schedule = ScheduleJobs.schedule(job, trigger);
        Instant now = clock.instant();
        return Optional.of(ScheduleView.of(schedule,
                scheduler.getTriggerState(trigger.getKey()).name(),
                FireTimes.of(schedule).next(now, nextFires), history.recent(name, fires)));
    }
}
