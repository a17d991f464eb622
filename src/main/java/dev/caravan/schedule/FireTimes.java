package dev.caravan.schedule;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;

import org.quartz.CronExpression;

/** When a Quartz cron expression fires, read in a time zone; the arithmetic behind next fire times and misfires. */
final class FireTimes {

    /** The fire times in a span: how many (counted up to a limit, {@code more} beyond it) and the latest counted. */
    record Span(int count, boolean more, Instant latest) {
    }

    private final CronExpression cron;

    private FireTimes(CronExpression cron) {
        this.cron = cron;
    }

    static FireTimes of(Schedule schedule) {
        return of(schedule.cron(), schedule.timeZone());
    }

    /** The fire times of {@code cron} in {@code zone}; the expression must be valid (see {@link ScheduleValidation}). */
    static FireTimes of(String cron, ZoneId zone) {
        try {
            CronExpression expression = new CronExpression(cron);
            expression.setTimeZone(TimeZone.getTimeZone(zone));
            return new FireTimes(expression);
        } catch (ParseException e) {
            throw new IllegalArgumentException("'" + cron + "' is not a Quartz cron expression: " + e.getMessage(), e);
        }
    }

    /** The first fire time strictly after {@code time}; empty when the expression never fires again. */
    Optional<Instant> after(Instant time) {
        return Optional.ofNullable(cron.getTimeAfter(Date.from(time))).map(Date::toInstant);
    }

    /** The next {@code count} fire times after {@code time}, fewer if the expression stops firing. */
    List<Instant> next(Instant time, int count) {
        List<Instant> times = new ArrayList<>();
        Optional<Instant> next = after(time);
        while (next.isPresent() && times.size() < count) {
            times.add(next.get());
            next = after(next.get());
        }
        return times;
    }

    /** True when a fire time lies in [{@code from}, {@code to}]. */
    boolean anyBetween(Instant from, Instant to) {
        return after(from.minusMillis(1)).filter(time -> !time.isAfter(to)).isPresent();
    }

    /** The fire times in ({@code after}, {@code upTo}], counted up to {@code limit}. */
    Span between(Instant after, Instant upTo, int limit) {
        int count = 0;
        Instant latest = null;
        Optional<Instant> next = after(after);
        while (next.isPresent() && !next.get().isAfter(upTo)) {
            if (count == limit) {
                return new Span(count, true, latest);
            }
            count++;
            latest = next.get();
            next = after(latest);
        }
        return new Span(count, false, latest);
    }
}
