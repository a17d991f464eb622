package dev.caravan.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.caravan.pipeline.RetrainLauncher;
import dev.caravan.pipeline.RetrainRequest;
import dev.caravan.schedule.FireRecord.Outcome;

/**
 * A nightly schedule's fire at 02:00 Berlin time, on time, under each concurrency policy and with and without new
 * data. The clock stands at the fire time plus the few milliseconds Quartz takes.
 */
class ScheduleFirerTest {

    private static final Instant PREVIOUS = Instant.parse("2025-05-31T00:00:00Z");
    private static final Instant DUE = Instant.parse("2025-06-01T00:00:00Z");

    private final FakeRetrains retrains = new FakeRetrains();
    private final MutableClock clock = new MutableClock(DUE.plusMillis(40));
    private final ScheduleFirer firer = new ScheduleFirer(retrains, clock);

    @ParameterizedTest
    @EnumSource(ConcurrencyPolicy.class)
    void anIdleModelStartsARetrainOnTheDataFrozenNowUnderEveryPolicy(ConcurrencyPolicy policy) {
        FireRecord fire = firer.fire(nightly(policy), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.FIRED);
        assertThat(fire.run()).isEqualTo(RetrainLauncher.runName("mnist", retrains.data.hash(), Map.of("trainSteps", "2000")));
        assertThat(fire.reason()).startsWith("started on snapshot " + retrains.data.hash().substring(0, 12));
        assertThat(fire.scheduledAt()).isEqualTo(DUE);
        assertThat(fire.firedAt()).isEqualTo(DUE.plusMillis(40));
        assertThat(retrains.submitted).containsExactly(new RetrainRequest("mnist", retrains.data.hash(),
                Map.of("trainSteps", "2000"), "schedule nightly"));
    }

    @Test
    void allowSubmitsWhileARunIsGoingAndTheRequestWaitsAsTheFollowUp() {
        retrains.busyWith("mnist-3f2a9c0d1e");

        FireRecord fire = firer.fire(nightly(ConcurrencyPolicy.ALLOW), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.FIRED);
        assertThat(fire.reason()).contains("waits on snapshot", "as the follow-up of run mnist-3f2a9c0d1e");
        assertThat(retrains.submitted).hasSize(1);
    }

    @Test
    void forbidSkipsTheFireWhileARunIsGoingAndSaysWhichRun() {
        retrains.busyWith("mnist-3f2a9c0d1e");

        FireRecord fire = firer.fire(nightly(ConcurrencyPolicy.FORBID), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.FORBIDDEN);
        assertThat(fire.run()).isNull();
        assertThat(fire.reason()).isEqualTo("policy Forbid: run mnist-3f2a9c0d1e is still going");
        assertThat(retrains.submitted).isEmpty();
        assertThat(retrains.freezes).as("a forbidden fire does not even list the data").isZero();
    }

    @Test
    void forbidAlsoSkipsWhileARequestWaitsBeforeItsRunIsRecorded() {
        retrains.idle = false;

        FireRecord fire = firer.fire(nightly(ConcurrencyPolicy.FORBID), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.FORBIDDEN);
        assertThat(fire.reason()).isEqualTo("policy Forbid: a run of mnist is going or waiting");
    }

    @Test
    void replaceStopsTheRunGoingAndMakesThisFiresRequestTheFollowUp() {
        retrains.busyWith("mnist-3f2a9c0d1e");

        FireRecord fire = firer.fire(nightly(ConcurrencyPolicy.REPLACE), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.FIRED);
        assertThat(fire.reason()).startsWith("stopped run mnist-3f2a9c0d1e; ")
                .contains("replaced the follow-up waiting behind run mnist-3f2a9c0d1e");
        assertThat(retrains.stopped).containsExactly("mnist-3f2a9c0d1e");
        assertThat(retrains.submitted).hasSize(1);
    }

    @Test
    void replaceStillSubmitsWhenTheRunGoingCannotBeStoppedAndSaysWhy() {
        retrains.busyWith("mnist-3f2a9c0d1e");
        retrains.stopFailure = new IllegalStateException("run mnist-3f2a9c0d1e is in step promote");

        FireRecord fire = firer.fire(nightly(ConcurrencyPolicy.REPLACE), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.FIRED);
        assertThat(fire.reason()).startsWith("did not stop run mnist-3f2a9c0d1e (run mnist-3f2a9c0d1e is in step promote); ");
        assertThat(retrains.submitted).hasSize(1);
    }

    @Test
    void replaceNeverReplacesARunWithItselfSoALongRunFinishes() {
        Schedule schedule = nightly(ConcurrencyPolicy.REPLACE);
        retrains.busyWith(retrains.runName("mnist", retrains.data, schedule.parameters()));

        FireRecord fire = firer.fire(schedule, DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(fire.reason()).endsWith("of this very data and these settings is still going, so it goes on");
        assertThat(retrains.stopped).isEmpty();
        assertThat(retrains.submitted).isEmpty();
    }

    @Test
    void workThatCompletedBeforeIsSkippedNotAnsweredAsFired() {
        retrains.done = true;

        FireRecord fire = firer.fire(nightly(ConcurrencyPolicy.ALLOW), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(fire.reason()).startsWith("no new work: run " + fire.run() + " already completed on snapshot");
    }

    @Test
    void replaceWithNoNewDataLeavesTheRunGoingAlone() {
        retrains.busyWith("mnist-3f2a9c0d1e");
        retrains.lastCompleted = FakeRetrains.completedRun("mnist-0a1b2c3d4e", retrains.data);

        FireRecord fire = firer.fire(nightly(ConcurrencyPolicy.REPLACE), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(retrains.stopped).isEmpty();
    }

    @Test
    void noNewDataSinceTheLastCompletedRunIsSkippedNotRun() {
        retrains.lastCompleted = FakeRetrains.completedRun("mnist-0a1b2c3d4e", retrains.data);

        FireRecord fire = firer.fire(nightly(ConcurrencyPolicy.ALLOW), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(fire.run()).isNull();
        assertThat(fire.reason()).isEqualTo("no new data: snapshot " + retrains.data.hash().substring(0, 12)
                + " of s3://tfmnist/data/mnist/ is the one run mnist-0a1b2c3d4e completed on");
        assertThat(retrains.submitted).isEmpty();
    }

    @Test
    void dataChangedSinceTheLastCompletedRunTrains() {
        retrains.lastCompleted = FakeRetrains.completedRun("mnist-0a1b2c3d4e", FakeRetrains.data("etag-0"));

        FireRecord fire = firer.fire(nightly(ConcurrencyPolicy.ALLOW), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.FIRED);
        assertThat(retrains.submitted).extracting(RetrainRequest::snapshot).containsExactly(retrains.data.hash());
    }

    @Test
    void dataThatCouldNotBeListedFailsTheFireWithTheReason() {
        retrains.freezeFailure = new IllegalStateException("S3 at http://127.0.0.1:9000 is unreachable");

        FireRecord fire = firer.fire(nightly(ConcurrencyPolicy.ALLOW), DUE, PREVIOUS);

        assertThat(fire.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(fire.reason()).isEqualTo("could not freeze the data and submit a retrain: "
                + "S3 at http://127.0.0.1:9000 is unreachable; the next fire tries again");
        assertThat(retrains.submitted).isEmpty();
    }

    private static Schedule nightly(ConcurrencyPolicy policy) {
        return new Schedule("nightly", "mnist", "0 0 2 * * ?", ZoneId.of("Europe/Berlin"), policy,
                Duration.ofHours(1), Map.of("trainSteps", "2000"), Instant.parse("2025-05-01T10:00:00Z"));
    }
}
