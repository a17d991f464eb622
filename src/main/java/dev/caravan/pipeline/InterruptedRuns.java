package dev.caravan.pipeline;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import jakarta.annotation.PreDestroy;

import dev.caravan.leader.LeaderSettings;
import dev.caravan.leader.Leadership;

/**
 * What this replica does as leadership comes and goes. Until it leads, the coordinator only records requests. On
 * becoming leader (at once for a single Caravan, once it has started) it finds the runs a previous leader left: their
 * executions still say they run, but no replica runs them since no other leads. It hands them to the coordinator
 * before anything else: each interrupted run resumes from the step it was in, then each model's waiting run follows.
 * A training that kept running is adopted by the train step (the trainer process, or the TFJob of the same name), not
 * started again. While it leads, it takes up the runs other replicas record as QUEUED. On losing leadership, or when
 * Caravan stops, it hands its runs over to the next leader.
 */
@Component
class InterruptedRuns implements SmartInitializingSingleton, ApplicationRunner, Leadership.Listener {

    static final String INTERRUPTED = "interrupted: the Caravan that ran this step stopped; resumed by the "
            + "next leader, or at the next start";

    private static final Logger log = LoggerFactory.getLogger(InterruptedRuns.class);

    private final JobExplorer explorer;
    private final JobRepository repository;
    private final RetrainCoordinator coordinator;
    private final RunStore runs;
    private final Leadership leadership;
    private final LeaderSettings settings;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "caravan-queued-runs");
        thread.setDaemon(true);
        return thread;
    });
    private boolean started;
    private boolean leading;
    private ScheduledFuture<?> polling;

    InterruptedRuns(JobExplorer explorer, JobRepository repository, RetrainCoordinator coordinator, RunStore runs,
                    Leadership leadership, LeaderSettings settings) {
        this.explorer = explorer;
        this.repository = repository;
        this.coordinator = coordinator;
        this.runs = runs;
        this.leadership = leadership;
        this.settings = settings;
    }

    /** Before the routes start: requests only wait in the database until this replica leads. */
    @Override
    public void afterSingletonsInstantiated() {
        coordinator.follow();
        leadership.addListener(this);
    }

    /** Once the application is up, a leader takes over; before, it only records requests. */
    @Override
    public synchronized void run(ApplicationArguments args) {
        started = true;
        if (leading) {
            takeOver();
        }
    }

    @Override
    public synchronized void granted() {
        leading = true;
        if (started) {
            takeOver();
        }
    }

    @Override
    public synchronized void revoked() {
        leading = false;
        if (polling != null) {
            polling.cancel(false);
            polling = null;
        }
        coordinator.handOver(settings.handOverTimeout());
    }

    @PreDestroy
    void stop() {
        poller.shutdownNow();
    }

    /**
     * Runs when no run of this replica is going, so that every execution still "running" now is one a previous
     * leader (or a previous process) left behind, not one this replica has just begun.
     */
    private void takeOver() {
        List<JobParameters> interrupted = new ArrayList<>();
        for (JobExecution execution : explorer.findRunningJobExecutions("retrain")) {
            markInterrupted(execution);
            interrupted.add(execution.getJobParameters());
            log.warn("Run {} was interrupted by a stop of the Caravan that ran it; resuming it",
                    RunNames.of(execution.getJobParameters()));
        }
        List<RunStore.Waiting> waiting = runs.waiting();
        waiting.forEach(run -> log.info("Run {} of {} waits; it starts in its turn", run.name(), run.model()));
        coordinator.recover(interrupted, waiting);
        coordinator.release();
        polling = poller.scheduleWithFixedDelay(this::takeQueued, settings.queuePoll().toMillis(),
                settings.queuePoll().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void takeQueued() {
        try {
            coordinator.takeQueued();
        } catch (RuntimeException e) {
            // The next poll tries again; the runs wait in the database meanwhile.
            log.warn("Cannot take up the runs other replicas queued: {}", e.getMessage(), e);
        }
    }

    private void markInterrupted(JobExecution execution) {
        LocalDateTime now = LocalDateTime.now();
        for (StepExecution step : execution.getStepExecutions()) {
            if (step.getStatus().isRunning()) {
                step.setStatus(BatchStatus.FAILED);
                step.setExitStatus(new ExitStatus(ExitStatus.FAILED.getExitCode(), INTERRUPTED));
                step.getExecutionContext().putString(StepMessages.MESSAGE, INTERRUPTED);
                step.setEndTime(now);
                repository.update(step);
                repository.updateExecutionContext(step);
            }
        }
        execution.setStatus(BatchStatus.FAILED);
        execution.setExitStatus(new ExitStatus(ExitStatus.FAILED.getExitCode(), INTERRUPTED));
        execution.setEndTime(now);
        repository.update(execution);
    }
}
