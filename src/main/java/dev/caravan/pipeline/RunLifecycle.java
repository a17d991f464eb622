package dev.caravan.pipeline;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobExecutionListener;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/** Keeps the run table in step with the job and publishes a run's start and end. */
@Component
class RunLifecycle implements JobExecutionListener {

    static final String PROMOTED = "PROMOTED";
    static final String REJECTED = "REJECTED";
    static final String FAILED = "FAILED";

    private final RunStore runs;
    private final ApplicationEventPublisher events;

    RunLifecycle(RunStore runs, ApplicationEventPublisher events) {
        this.runs = runs;
        this.events = events;
    }

    @Override
    public void beforeJob(JobExecution job) {
        RunContext run = RunContext.of(job);
        runs.started(run.runName(), run.model(), run.snapshot(), job.getJobInstance().getInstanceId(), job.getId());
        events.publishEvent(new RunEvent.RunStarted(run.runName(), run.model(), run.snapshot()));
    }

    @Override
    public void afterJob(JobExecution job) {
        RunContext run = RunContext.of(job);
        String outcome = outcome(job);
        String message = RetrainLauncher.summary(job);
        runs.ended(run.runName(), job.getStatus().name(), outcome, message);
        events.publishEvent(new RunEvent.RunFinished(run.runName(), job.getStatus().name(), outcome, message));
    }

    private static String outcome(JobExecution job) {
        if (job.getStatus() == BatchStatus.COMPLETED) {
            return REJECTED.equals(job.getExitStatus().getExitCode()) ? REJECTED : PROMOTED;
        }
        return job.getStatus().isUnsuccessful() ? FAILED : null;
    }
}
