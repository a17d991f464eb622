package dev.caravan.pipeline;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.launch.JobLauncher;
import org.springframework.batch.core.repository.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.repository.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.JobRestartException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * Launches the {@code retrain} job for a model and a data snapshot. These two identify the work, so Spring Batch
 * refuses to run completed work again and resumes failed work from the step that failed.
 */
@Service
public class RetrainLauncher {

    private final JobLauncher launcher;
    private final JobRepository repository;
    private final Job job;
    private final ApplicationEventPublisher events;

    public RetrainLauncher(JobLauncher launcher, JobRepository repository, @Qualifier("retrainJob") Job job,
                           ApplicationEventPublisher events) {
        this.launcher = launcher;
        this.repository = repository;
        this.job = job;
        this.events = events;
    }

    /** Runs the job to its end and returns its execution; completed work returns the execution that completed it. */
    public JobExecution launch(String model, String snapshot) {
        return launch(model, snapshot, Map.of());
    }

    /**
     * As {@link #launch(String, String)}, with parameter values that differ from the pipeline's (checked by
     * {@code PipelineDefinition#parameters}). They are part of the run's identity: the same
     * data with other settings is another run.
     */
    public JobExecution launch(String model, String snapshot, Map<String, String> settings) {
        return launch(parameters(model, snapshot, settings));
    }

    /** The identifying parameters of a run: model, snapshot, and any settings that differ from the configured ones. */
    public static JobParameters parameters(String model, String snapshot, Map<String, String> settings) {
        JobParametersBuilder builder = new JobParametersBuilder()
                .addString(RunNames.MODEL, model)
                .addString(RunNames.SNAPSHOT, snapshot);
        new TreeMap<>(settings).forEach((name, value) -> builder.addString(name, value));
        return builder.toJobParameters();
    }

    /** Runs the job with these parameters: new work starts, failed or interrupted work resumes where it stopped. */
    public JobExecution launch(JobParameters parameters) {
        String snapshot = parameters.getString(RunNames.SNAPSHOT);
        try {
            return launcher.run(job, parameters);
        } catch (JobInstanceAlreadyCompleteException e) {
            String run = RunNames.of(parameters);
            events.publishEvent(new RunEvent.Skipped(run, parameters.getString(RunNames.MODEL), snapshot,
                    "run " + run + " already trained on snapshot " + snapshot + " with these settings"));
            return repository.getLastJobExecution(job.getName(), parameters);
        } catch (JobExecutionAlreadyRunningException e) {
            throw new IllegalStateException("run " + RunNames.of(parameters) + " for snapshot " + snapshot
                    + " is already running; wait for it to end", e);
        } catch (JobRestartException | org.springframework.batch.core.JobParametersInvalidException e) {
            throw new IllegalStateException("cannot launch a run for snapshot " + snapshot + ": " + e.getMessage(), e);
        }
    }

    /** The run name the job gives this model and snapshot. */
    public static String runName(String model, String snapshot) {
        return runName(model, snapshot, Map.of());
    }

    /** The run name the job gives this model, snapshot and settings. */
    public static String runName(String model, String snapshot, Map<String, String> settings) {
        return RunNames.of(parameters(model, snapshot, settings));
    }

    /** Why a job failed: the message of its failed step, in one line a person can act on. */
    public static String failureMessage(JobExecution job) {
        return job.getStepExecutions().stream()
                .filter(step -> step.getStatus() == BatchStatus.FAILED)
                .max(Comparator.comparing(StepExecution::getId))
                .map(step -> step.getStepName() + ": " + StepMessages.of(step))
                .orElseGet(() -> job.getAllFailureExceptions().stream().findFirst()
                        .map(Throwable::getMessage).orElse(job.getExitStatus().getExitDescription()));
    }

    /** What a finished job amounts to: its failure, the gate's verdict, or the promotion. */
    static String summary(JobExecution job) {
        if (job.getStatus().isUnsuccessful()) {
            return failureMessage(job);
        }
        if (job.getStatus() == BatchStatus.STOPPED) {
            return job.getStepExecutions().stream().filter(step -> step.getStatus() == BatchStatus.STOPPED)
                    .findFirst().map(step -> step.getStepName() + ": " + StepMessages.of(step)).orElse("stopped");
        }
        return job.getStepExecutions().stream()
                .max(Comparator.comparing(StepExecution::getId))
                .map(step -> step.getStepName() + ": " + StepMessages.of(step))
                .orElse("");
    }
}
