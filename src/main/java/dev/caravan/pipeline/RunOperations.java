package dev.caravan.pipeline;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.leader.Leadership;
import dev.caravan.training.TrainingBackend;
import dev.caravan.snapshot.Snapshot;
import dev.caravan.snapshot.SnapshotStore;

/**
 * What users do to runs: submit one on the data there now, retry a failed one, resubmit one with other settings,
 * stop one.
 */
@Service
public class RunOperations {

    /** A request taken: the run it is and whether it started or waits behind the model's current run. */
    public record Submission(String run, String model, String snapshot, int objects, RetrainCoordinator.Admission admission) {
    }

    private final SnapshotStore snapshots;
    private final RetrainCoordinator coordinator;
    private final RunStore runs;
    private final JobExplorer explorer;
    private final RunStops stops;
    private final TrainingBackend training;
    private final PipelineCatalog pipelines;
    private final ApplicationEventPublisher events;
    private final Leadership leadership;

    RunOperations(SnapshotStore snapshots, RetrainCoordinator coordinator, RunStore runs, JobExplorer explorer,
                  RunStops stops, TrainingBackend training, PipelineCatalog pipelines, ApplicationEventPublisher events,
                  Leadership leadership) {
        this.leadership = leadership;
        this.snapshots = snapshots;
        this.coordinator = coordinator;
        this.runs = runs;
        this.explorer = explorer;
        this.stops = stops;
        this.training = training;
        this.pipelines = pipelines;
        this.events = events;
    }

    /**
     * Freezes the data under the pipeline's prefix now and asks for a retrain on it with these settings.
     *
     * @param pipeline the pipeline or model name; null or blank for the only pipeline
     * @throws PipelineCatalog.UnknownPipelineException when there is no such pipeline
     * @throws IllegalArgumentException when a setting is not one the pipeline's trainer takes, or out of its range
     */
    public Submission submit(String pipeline, Map<String, String> settings, String origin) {
        PipelineDefinition definition = pipelines.resolve(pipeline);
        Map<String, String> checked = overrides(definition, settings);
        return submit(definition, freeze(definition), checked, origin);
    }

    /** Freezes the pipeline's data prefix: a copy of its objects now, its marker left out, that runs read. */
    public Snapshot freeze(PipelineDefinition pipeline) {
        return snapshots.freeze(pipeline);
    }

    /**
     * The one way a retrain is asked for, whatever the trigger: a request on {@code snapshot} of the pipeline's data,
     * with {@code settings} that override the pipeline's parameters.
     */
    public Submission submit(PipelineDefinition pipeline, Snapshot snapshot, Map<String, String> settings, String origin) {
        Map<String, String> checked = overrides(pipeline, settings);
        String model = pipeline.model();
        String name = runName(pipeline, snapshot.hash(), checked);
        Optional<Run> done = runs.find(name).filter(run -> "COMPLETED".equals(run.status()));
        if (done.isPresent()) {
            events.publishEvent(new RunEvent.Skipped(name, model, snapshot.hash(), "run " + name + " already trained"
                    + " on snapshot " + snapshot.hash() + " with these settings (" + done.get().outcome() + ")"));
            return new Submission(name, model, snapshot.hash(), snapshot.objectCount(), RetrainCoordinator.Admission.DONE);
        }
        RetrainCoordinator.Admission admission = coordinator.submit(new RetrainRequest(model, snapshot.hash(), checked,
                origin));
        return new Submission(name, model, snapshot.hash(), snapshot.objectCount(), admission);
    }

    /** The name of the run of {@code pipeline} on {@code snapshot} with these settings, whether it ran or not. */
    public String runName(PipelineDefinition pipeline, String snapshot, Map<String, String> settings) {
        return RetrainLauncher.runName(pipeline.model(), snapshot, overrides(pipeline, settings));
    }

    /** The settings that differ from the pipeline's own, by Caravan's names, checked and written plainly. */
    private static Map<String, String> overrides(PipelineDefinition pipeline, Map<String, String> settings) {
        return pipeline.overrides(settings);
    }

    /** Runs a failed run again from the step that failed, with its parameters and context as they were. */
    public Submission retry(String name) {
        Run run = find(name);
        JobExecution last = explorer.getJobExecution(run.jobExecutionId());
        if (last == null || last.getStatus() != BatchStatus.FAILED && last.getStatus() != BatchStatus.STOPPED) {
            throw new IllegalStateException("run " + name + " is " + run.status() + "; only a FAILED or STOPPED run "
                    + "can be retried (resubmit it to train again with other settings)");
        }
        JobParameters parameters = last.getJobParameters();
        return new Submission(name, run.model(), run.snapshot(), 0, coordinator.resume(parameters));
    }

    /** A new run on the same data snapshot as {@code name}, with its settings changed by {@code changes}. */
    public Submission resubmit(String name, Map<String, String> changes, String origin) {
        Run run = find(name);
        JobExecution last = explorer.getJobExecution(run.jobExecutionId());
        PipelineDefinition pipeline = pipelines.resolve(run.model());
        Map<String, String> settings = new TreeMap<>(RunContext.of(last).settings());
        // A change given by an example name (tf-worker) replaces the setting it stands for (workers).
        changes.forEach((setting, value) -> settings.put(pipeline.parameterName(setting), value));
        Map<String, String> checked = overrides(pipeline, settings);
        if (RetrainLauncher.runName(run.model(), run.snapshot(), checked).equals(name)) {
            throw new IllegalArgumentException("resubmitting " + name + " with the same settings is the same run; "
                    + "change a setting (-p trainSteps=2000) or retry it");
        }
        Snapshot snapshot = snapshots.find(run.snapshot()).orElseThrow(() -> new IllegalStateException("the data"
                + " snapshot " + run.snapshot() + " of run " + name + " is no longer recorded; upload the data again"));
        return submit(pipeline, snapshot, checked, origin);
    }

    /**
     * Stops a run: a follow-up that waits is dropped; a running run ends STOPPED, its training killed at once or its
     * current step let finish. It can be retried from the step where it stopped.
     */
    public StopRequest stop(String name, String origin) {
        if (coordinator.dropWaiting(name, "stopped by " + origin + " before it started")) {
            return new StopRequest(name, "DROPPED", "run " + name + " was waiting behind the model's current run; it"
                    + " will not start");
        }
        Run run = find(name);
        JobExecution execution = explorer.getJobExecution(run.jobExecutionId());
        if (run.endedAt() != null || execution == null || !execution.isRunning()) {
            throw new IllegalStateException("run " + name + " is not going (" + run.status()
                    + (run.outcome() == null ? "" : " " + run.outcome()) + "); there is nothing to stop");
        }
        if (!leadership.isLeader()) {
            throw new IllegalStateException("run " + name + " runs on the leading Caravan, and this one does not lead;"
                    + " ask the leader to stop it (the holder of the Lease caravan-leader on Kubernetes, else the"
                    + " Caravan whose log says it leads)");
        }
        String step = execution.getStepExecutions().stream().max(Comparator.comparing(StepExecution::getId))
                .map(StepExecution::getStepName).orElse("prepare");
        if (RunStops.UNSTOPPABLE.contains(step)) {
            throw new IllegalStateException("run " + name + " is in step " + step + ": a run that promotes its model "
                    + "also smoke-tests it, so it is not stopped now; it ends in seconds, and 'caravan rollback "
                    + run.model() + "' puts the previous version back");
        }
        stops.request(name, "stopped by " + origin);
        if ("train".equals(step) && training.cancel(name)) {
            return new StopRequest(name, "STOPPING", "the training of run " + name + " was stopped; the run ends"
                    + " STOPPED, and 'caravan retry " + name + "' trains it again");
        }
        return new StopRequest(name, "STOPPING", "run " + name + " stops when its step " + step + " ends; 'caravan"
                + " retry " + name + "' goes on from there");
    }

    /** What became of a stop: DROPPED (it waited) or STOPPING (it runs, and ends STOPPED). */
    public record StopRequest(String run, String state, String message) {
    }

    private Run find(String name) {
        return runs.find(name).orElseThrow(() -> new RunNotFoundException(name));
    }

    /** No run has the name asked for. */
    public static class RunNotFoundException extends RuntimeException {

        public RunNotFoundException(String name) {
            super("no run named '" + name + "'; list the runs with: caravan list");
        }
    }
}
