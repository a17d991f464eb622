package dev.caravan.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobInstance;
import org.springframework.batch.core.job.SimpleJob;
import org.springframework.batch.core.launch.JobLauncher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabase;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;

import dev.caravan.database.Database;
import dev.caravan.testutil.TestDatabases;

/**
 * One retrain per model at a time: requests that arrive during a run coalesce into one follow-up on the newest
 * snapshot. Every request is a run in the database before it is answered, so a crash loses none. The job launcher
 * here blocks until the test lets the "run" end, so arrivals during a run are exact.
 */
class RetrainCoordinatorTest {

    private final List<String> launched = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> runsToEnd = new CopyOnWriteArrayList<>();
    private final JobLauncher blockingLauncher = (job, parameters) -> {
        CountDownLatch end = new CountDownLatch(1);
        runsToEnd.add(end);
        launched.add(parameters.getString("snapshot"));
        try {
            if (!end.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never ended run " + parameters.getString("snapshot"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new JobExecution(new JobInstance(1L, job.getName()), parameters);
    };
    private final EmbeddedDatabase database = TestDatabases.migrated(new EmbeddedDatabaseBuilder()
            .setType(EmbeddedDatabaseType.H2).generateUniqueName(true).build());
    private final RunStore runs = new RunStore(new JdbcTemplate(database), Database.H2);
    private RetrainCoordinator coordinator = started();

    @AfterEach
    void stop() {
        runsToEnd.forEach(CountDownLatch::countDown);
        coordinator.stop();
        database.shutdown();
    }

    @Test
    void triggersDuringARunBecomeExactlyOneFollowUpOnTheNewestSnapshot() {
        assertThat(submit("mnist", "s1")).isEqualTo(RetrainCoordinator.Admission.STARTED);
        await().until(() -> launched.size() == 1);

        // when: three more uploads complete while s1 trains
        assertThat(submit("mnist", "s2")).isEqualTo(RetrainCoordinator.Admission.QUEUED);
        assertThat(submit("mnist", "s3")).isEqualTo(RetrainCoordinator.Admission.QUEUED);
        assertThat(submit("mnist", "s4")).isEqualTo(RetrainCoordinator.Admission.QUEUED);
        runsToEnd.get(0).countDown();

        // then: one follow-up, on the newest data, and nothing after it
        await().until(() -> launched.size() == 2);
        assertThat(launched).containsExactly("s1", "s4");
        runsToEnd.get(1).countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> coordinator.idle("mnist"));
        assertThat(launched).hasSize(2);
    }

    @Test
    void everyRequestIsRecordedBeforeItIsAnsweredAndAReplacedFollowUpSaysByWhich() {
        submit("mnist", "s1");
        submit("mnist", "s2");
        assertThat(runs.find(name("s1")).orElseThrow().status()).isIn("QUEUED", "STARTED");
        assertThat(runs.find(name("s2")).orElseThrow().status()).isEqualTo("QUEUED");

        submit("mnist", "s3");

        Run replaced = runs.find(name("s2")).orElseThrow();
        assertThat(replaced.status()).isEqualTo("DROPPED");
        assertThat(replaced.message()).contains("replaced by run " + name("s3"));
        assertThat(replaced.endedAt()).isNotNull();
        assertThat(runs.waiting()).extracting(RunStore.Waiting::name).contains(name("s3"));
    }

    @Test
    void theSameRunAskedForAgainWhileItGoesIsNotQueuedBehindItself() {
        submit("mnist", "s1");
        await().until(() -> launched.size() == 1);

        assertThat(submit("mnist", "s1")).isEqualTo(RetrainCoordinator.Admission.RUNNING);
        runsToEnd.get(0).countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> coordinator.idle("mnist"));
        assertThat(launched).containsExactly("s1");
    }

    @Test
    void afterACrashTheInterruptedRunGoesFirstThenTheFollowUpThatWaitedThenNewerRequests() {
        submit("mnist", "s1");
        submit("mnist", "s2");
        await().until(() -> launched.size() == 1);
        coordinator.stop(); // the process dies: only the database remains
        launched.clear();
        runsToEnd.forEach(CountDownLatch::countDown);
        runsToEnd.clear();

        coordinator = new RetrainCoordinator(launcher(), runs, event -> { });
        // a trigger of the new process comes before the recovered runs are handed back
        assertThat(submit("fashion", "f1")).isEqualTo(RetrainCoordinator.Admission.QUEUED);
        coordinator.recover(List.of(RetrainLauncher.parameters("mnist", "s1", Map.of())), runs.waiting());
        assertThat(submit("mnist", "s1")).isEqualTo(RetrainCoordinator.Admission.QUEUED);
        assertThat(launched).isEmpty();
        coordinator.release();

        await().until(() -> launched.size() == 2);
        assertThat(launched).containsExactlyInAnyOrder("s1", "f1");
        runsToEnd.forEach(CountDownLatch::countDown);
        await().until(() -> launched.size() == 3);
        assertThat(launched.get(2)).isEqualTo("s2");
    }

    @Test
    void nothingStartsBeforeRelease() {
        RetrainCoordinator held = new RetrainCoordinator(launcher(), runs, event -> { });
        try {
            assertThat(held.submit(new RetrainRequest("mnist", "s1", Map.of(), "test")))
                    .isEqualTo(RetrainCoordinator.Admission.QUEUED);
            assertThat(runs.find(name("s1")).orElseThrow().status()).isEqualTo("QUEUED");
            assertThat(launched).isEmpty();

            held.release();
            await().until(() -> launched.size() == 1);
        } finally {
            held.stop();
        }
    }

    @Test
    void aRunStoppedBeforeReleaseNeverStarts() {
        RetrainCoordinator held = new RetrainCoordinator(launcher(), runs, event -> { });
        try {
            held.submit(new RetrainRequest("mnist", "s1", Map.of(), "test"));

            assertThat(held.dropWaiting(name("s1"), "stopped by test before it started")).isTrue();
            held.release();

            assertThat(runs.find(name("s1")).orElseThrow().status()).isEqualTo("DROPPED");
            assertThat(held.idle("mnist")).isTrue();
            assertThat(launched).isEmpty();
        } finally {
            held.stop();
        }
    }

    @Test
    void aRunThatCannotBeLaunchedIsFailedNotLeftWaiting() {
        JobLauncher refusing = (job, parameters) -> {
            throw new IllegalStateException("the job repository is down");
        };
        RetrainCoordinator failing = new RetrainCoordinator(new RetrainLauncher(refusing, null, new SimpleJob("retrain"),
                event -> { }), runs, event -> { });
        try {
            failing.release();
            failing.submit(new RetrainRequest("mnist", "s1", Map.of(), "test"));

            await().atMost(Duration.ofSeconds(5)).until(() -> failing.idle("mnist"));
            Run run = runs.find(name("s1")).orElseThrow();
            assertThat(run.status()).isEqualTo("FAILED");
            assertThat(run.message()).isEqualTo("could not be launched: the job repository is down");
            assertThat(runs.waiting()).isEmpty();
        } finally {
            failing.stop();
        }
    }

    private RetrainCoordinator started() {
        RetrainCoordinator started = new RetrainCoordinator(launcher(), runs, event -> { });
        started.release();
        return started;
    }

    private RetrainLauncher launcher() {
        return new RetrainLauncher(blockingLauncher, null, new SimpleJob("retrain"), event -> { });
    }

    @Test
    void aReplicaThatDoesNotLeadOnlyRecordsRequestsAndTheLeaderStartsEachOnce() {
        // given: this coordinator leads; another on the same database follows
        RetrainCoordinator follower = new RetrainCoordinator(launcher(), runs, event -> { });
        follower.follow();
        try {
            // when: the follower takes a request
            assertThat(submit(follower, "mnist", "s1")).isEqualTo(RetrainCoordinator.Admission.QUEUED);

            // then: it starts nothing; the run waits in the database under its name
            assertThat(runs.find(name("s1")).orElseThrow().status()).isEqualTo("QUEUED");
            assertThat(follower.idle("mnist")).isFalse();
            assertThat(launched).isEmpty();

            // when: the leader looks for queued runs, again and again
            coordinator.takeQueued();
            coordinator.takeQueued();
            await().until(() -> launched.size() == 1);
            coordinator.takeQueued();

            // then: it started the run once
            assertThat(launched).containsExactly("s1");
        } finally {
            follower.stop();
        }
    }

    @Test
    void aRequestToAReplicaThatDoesNotLeadLeavesTheRunTheLeaderRunsGoing() {
        RetrainCoordinator follower = new RetrainCoordinator(launcher(), runs, event -> { });
        follower.follow();
        try {
            // given: the leader runs s1 (its job has recorded it STARTED)
            assertThat(submit("mnist", "s1")).isEqualTo(RetrainCoordinator.Admission.STARTED);
            runs.started(name("s1"), "mnist", "s1", 1, 1);

            // when: the same run is asked for through the follower
            RetrainCoordinator.Admission answer = submit(follower, "mnist", "s1");

            // then: it is going, and stays STARTED: a stop through the follower finds nothing waiting to drop
            assertThat(answer).isEqualTo(RetrainCoordinator.Admission.RUNNING);
            assertThat(runs.find(name("s1")).orElseThrow().status()).isEqualTo("STARTED");
            assertThat(follower.dropWaiting(name("s1"), "stopped by test")).isFalse();
        } finally {
            follower.stop();
        }
    }

    @Test
    void aRunStoppedThroughAReplicaThatDoesNotLeadNeverStarts() {
        RetrainCoordinator follower = new RetrainCoordinator(launcher(), runs, event -> { });
        follower.follow();
        try {
            submit(follower, "mnist", "s1");

            assertThat(follower.dropWaiting(name("s1"), "stopped by test")).isTrue();
            coordinator.takeQueued();

            assertThat(runs.find(name("s1")).orElseThrow().status()).isEqualTo("DROPPED");
            assertThat(launched).isEmpty();
        } finally {
            follower.stop();
        }
    }

    @Test
    void aLeaderThatStopsLeadingLetsItsRunGoAndQueuesItForTheNextLeader() {
        submit("mnist", "s1");
        await().until(() -> launched.size() == 1);

        coordinator.handOver(Duration.ofSeconds(10));

        assertThat(runs.waiting()).extracting(RunStore.Waiting::name, RunStore.Waiting::origin)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(name("s1"), RetrainCoordinator.HANDED_OVER));
        assertThat(submit("mnist", "s2")).isEqualTo(RetrainCoordinator.Admission.QUEUED);
        assertThat(launched).containsExactly("s1");
    }

    private static String name(String snapshot) {
        return RetrainLauncher.runName("mnist", snapshot);
    }

    @Test
    void modelsRetrainIndependently() {
        submit("mnist", "a1");
        submit("fashion", "b1");

        await().until(() -> launched.size() == 2);
        assertThat(launched).containsExactlyInAnyOrder("a1", "b1");
    }

    private RetrainCoordinator.Admission submit(String model, String snapshot) {
        return submit(coordinator, model, snapshot);
    }

    private static RetrainCoordinator.Admission submit(RetrainCoordinator coordinator, String model, String snapshot) {
        return coordinator.submit(new RetrainRequest(model, snapshot, Map.of(), "test"));
    }
}
