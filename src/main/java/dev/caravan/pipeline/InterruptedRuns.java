package dev.caravan.pipeline;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

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

/**
 * Finds, at start, the runs a crash interrupted (their executions still say they run, but nothing in this new
 * process runs them) and the runs that waited, and hands them to the coordinator before any trigger can: each
 * interrupted run resumes from the step it was in, then each model's waiting run follows. A training that kept
 * running through the crash is adopted by the train step, not started again.
 */
@Component
class InterruptedRuns implements SmartInitializingSingleton, ApplicationRunner {

    static final String INTERRUPTED = "interrupted: Caravan stopped while this step ran; resumed at the next start";

    private static final Logger log = LoggerFactory.getLogger(InterruptedRuns.class);

    private final JobExplorer explorer;
    private final JobRepository repository;
    private final RetrainCoordinator coordinator;
    private final RunStore runs;

    InterruptedRuns(JobExplorer explorer, JobRepository repository, RetrainCoordinator coordinator, RunStore runs) {
        this.explorer = explorer;
        this.repository = repository;
        this.coordinator = coordinator;
        this.runs = runs;
    }

    /**
     * Runs before the routes start, so that every execution still "running" now is one a previous process left
     * behind, not one a trigger of this process has just begun.
     */
    @Override
    public void afterSingletonsInstantiated() {
        List<JobParameters> interrupted = new ArrayList<>();
        for (JobExecution execution : explorer.findRunningJobExecutions("retrain")) {
            markInterrupted(execution);
            interrupted.add(execution.getJobParameters());
            log.warn("Run {} was interrupted by a stop of Caravan; resuming it", RunNames.of(execution.getJobParameters()));
        }
        List<RunStore.Waiting> waiting = runs.waiting();
        waiting.forEach(run -> log.info("Run {} of {} waited when Caravan stopped; it waits again", run.name(), run.model()));
        coordinator.recover(interrupted, waiting);
    }

    /** Once the application is up, lets the recovered runs, and everything asked for since, start. */
    @Override
    public void run(ApplicationArguments args) {
        coordinator.release();
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
