package dev.caravan.pipeline;

import java.util.Locale;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;

/** Keeps the run table in step with the job and publishes a run's start and end. */
@Component
class RunLifecycle implements JobExecutionListener {

    static final String PROMOTED = "PROMOTED";
    static final String REJECTED = "REJECTED";
    static final String FAILED = "FAILED";
    static final String STOPPED = "STOPPED";

    private final RunStore runs;
    private final ModelRegistry registry;
    private final ApplicationEventPublisher events;
    private final RunStops stops;
    private final JobRepository jobs;

    RunLifecycle(RunStore runs, ModelRegistry registry, ApplicationEventPublisher events, RunStops stops,
                 JobRepository jobs) {
        this.jobs = jobs;
        this.runs = runs;
        this.registry = registry;
        this.events = events;
        this.stops = stops;
    }

    @Override
    public void beforeJob(JobExecution job) {
        RunContext run = RunContext.of(job);
        runs.started(run.runName(), run.model(), run.snapshot(), job.getJobInstance().getInstanceId(), job.getId());
        events.publishEvent(new RunEvent.RunStarted(run.runName(), run.model(), run.snapshot()));
    }

    @Override
    public void afterJob(JobExecution job) {
        // Spring Batch records the job's end only after its listeners: recorded here first, a run shown as ended is
        // ended in the job repository too, so it can be retried at once.
        jobs.update(job);
        RunContext run = RunContext.of(job);
        String outcome = outcome(job);
        String message = RetrainLauncher.summary(job);
        runs.ended(run.runName(), job.getStatus().name(), outcome, message);
        stops.clear(run.runName());
        if (FAILED.equals(outcome) || STOPPED.equals(outcome)) {
            // A version whose run did not finish is no candidate; a retry of the run takes it up again.
            registry.byRun(run.runName()).filter(v -> v.state() == ModelVersion.State.CANDIDATE)
                    .ifPresent(v -> registry.reject(v.model(), v.version(), "run " + run.runName() + " "
                            + outcome.toLowerCase(Locale.ROOT) + ": " + message));
        }
        events.publishEvent(new RunEvent.RunFinished(run.runName(), run.model(), job.getStatus().name(), outcome,
                message));
    }

    private static String outcome(JobExecution job) {
        if (job.getStatus() == BatchStatus.COMPLETED) {
            String exit = job.getExitStatus().getExitCode();
            return REJECTED.equals(exit) || PromoteTasklet.SUPERSEDED.equals(exit) ? exit : PROMOTED;
        }
        if (job.getStatus() == BatchStatus.STOPPED) {
            return STOPPED;
        }
        return job.getStatus().isUnsuccessful() ? FAILED : null;
    }
}
