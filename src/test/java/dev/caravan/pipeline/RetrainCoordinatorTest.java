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
import org.springframework.batch.core.launch.JobLauncher;
import org.springframework.batch.core.job.SimpleJob;

/**
 * One retrain per model at a time: requests that arrive during a run coalesce into one follow-up on the newest
 * snapshot. The job launcher here blocks until the test lets the "run" end, so arrivals during a run are exact.
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
    private final RetrainCoordinator coordinator = new RetrainCoordinator(
            new RetrainLauncher(blockingLauncher, null, new SimpleJob("retrain"), event -> { }), event -> { });

    @AfterEach
    void stop() {
        runsToEnd.forEach(CountDownLatch::countDown);
        coordinator.stop();
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
    void modelsRetrainIndependently() {
        submit("mnist", "a1");
        submit("fashion", "b1");

        await().until(() -> launched.size() == 2);
        assertThat(launched).containsExactlyInAnyOrder("a1", "b1");
    }

    private RetrainCoordinator.Admission submit(String model, String snapshot) {
        return coordinator.submit(new RetrainRequest(model, snapshot, Map.of(), "test"));
    }
}
