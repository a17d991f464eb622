package dev.caravan.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.caravan.schedule.FireRecord.Outcome;

/**
 * Fires after downtime, as Quartz makes them: a misfired trigger fires once at restart (its scheduled time is the
 * restart, its previous fire the last one before the downtime), and fires later than Quartz's misfire threshold
 * still come one by one. A backlog runs at most once, and only if the latest missed fire is within the starting
 * deadline. The clock is moved by the test; nothing waits.
 */
class MisfireRuleTest {

    private static final Instant LAST_BEFORE_DOWNTIME = Instant.parse("2025-06-01T00:00:00Z");
    private static final Instant RESTART = Instant.parse("2025-06-05T00:20:00.350Z");

    private final FakeRetrains retrains = new FakeRetrains();
    private final MutableClock clock = new MutableClock(RESTART);
    private final ScheduleFirer firer = new ScheduleFirer(retrains, clock);

    @Test
    void aScheduleThatMissedFourNightsRunsOnceWhenTheLatestIsWithinTheDeadline() {
        clock.advance(Duration.ofMillis(15));

        FireRecord fire = firer.fire(nightly(Duration.ofMinutes(30)), RESTART, LAST_BEFORE_DOWNTIME);

        assertThat(fire.outcome()).isEqualTo(Outcome.FIRED);
        assertThat(fire.reason()).startsWith("caught up once for 4 missed fires, the latest due at 2025-06-05T00:00:00Z; "
                + "started on snapshot");
        assertThat(retrains.submitted).hasSize(1);
    }

    @Test
    void aScheduleWhoseLatestMissedFireIsPastTheDeadlineSkipsAndSaysWhenItFiresNext() {
        clock.advance(Duration.ofMillis(15));

        FireRecord fire = firer.fire(nightly(Duration.ofMinutes(15)), RESTART, LAST_BEFORE_DOWNTIME);

        assertThat(fire.outcome()).isEqualTo(Outcome.MISSED);
        assertThat(fire.reason()).isEqualTo("no fire was due within the starting deadline of PT15M (4 missed fires, "
                + "the latest due at 2025-06-05T00:00:00Z); the next fire is at 2025-06-06T00:00:00Z");
        assertThat(retrains.submitted).isEmpty();
    }

    @Test
    void withoutADeadlineAMissedScheduleAlwaysCatchesUpOnce() {
        clock.set(Instant.parse("2025-09-01T12:00:00Z"));

        FireRecord fire = firer.fire(nightly(null), clock.instant(), LAST_BEFORE_DOWNTIME);

        assertThat(fire.outcome()).isEqualTo(Outcome.FIRED);
        assertThat(fire.reason()).startsWith("caught up once for 92 missed fires, the latest due at 2025-09-01T00:00:00Z");
        assertThat(retrains.submitted).hasSize(1);
    }

    @Test
    void lateFiresThatComeOneByOneRunOnlyForTheLatestDueFire() {
        // given: a schedule every minute whose fires at 10:01, 10:02 and 10:03 all come at 10:03:02, below the
        // misfire threshold, so Quartz fires each of them in turn
        Schedule everyMinute = schedule("0 * * * * ?", Duration.ofMinutes(5));
        clock.set(Instant.parse("2025-06-01T10:03:02Z"));
        List<FireRecord> fires = new ArrayList<>();
        Instant previous = Instant.parse("2025-06-01T10:00:00Z");

        // when
        for (String due : List.of("10:01", "10:02", "10:03")) {
            Instant scheduled = Instant.parse("2025-06-01T" + due + ":00Z");
            fires.add(firer.fire(everyMinute, scheduled, previous));
            previous = scheduled;
            clock.advance(Duration.ofMillis(5));
        }

        // then
        assertThat(fires).extracting(FireRecord::outcome).containsExactly(Outcome.MISSED, Outcome.MISSED, Outcome.FIRED);
        assertThat(fires.get(0).reason()).isEqualTo("superseded: the fire due at 2025-06-01T10:02:00Z has come too, "
                + "and only the latest due fire runs");
        assertThat(retrains.submitted).hasSize(1);
    }

    @Test
    void aSingleFireLaterThanTheDeadlineIsMissed() {
        Schedule everyMinute = schedule("0 * * * * ?", Duration.ofSeconds(2));
        clock.set(Instant.parse("2025-06-01T10:01:03Z"));

        FireRecord fire = firer.fire(everyMinute, Instant.parse("2025-06-01T10:01:00Z"),
                Instant.parse("2025-06-01T10:00:00Z"));

        assertThat(fire.outcome()).isEqualTo(Outcome.MISSED);
        assertThat(fire.reason()).startsWith("no fire was due within the starting deadline of PT2S "
                + "(the fire due at 2025-06-01T10:01:00Z)");
    }

    @Test
    void theMissedFiresAreCountedInTheSchedulesTimeZone() {
        // 02:00 in Berlin is 00:00 UTC in summer: from June 1st 00:30 UTC to June 3rd 00:10 UTC, two nights passed
        Schedule berlin = nightly(null);
        clock.set(Instant.parse("2025-06-03T00:10:00Z"));

        FireRecord fire = firer.fire(berlin, clock.instant(), Instant.parse("2025-06-01T00:30:00Z"));

        assertThat(fire.reason()).startsWith("caught up once for 2 missed fires, the latest due at 2025-06-03T00:00:00Z");
    }

    private static Schedule nightly(Duration deadline) {
        return schedule("0 0 2 * * ?", deadline);
    }

    private static Schedule schedule(String cron, Duration deadline) {
        return new Schedule("nightly", "mnist", cron, ZoneId.of("Europe/Berlin"), ConcurrencyPolicy.FORBID, deadline,
                Map.of(), Instant.parse("2025-05-01T10:00:00Z"));
    }
}
