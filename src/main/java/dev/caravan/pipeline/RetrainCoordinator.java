package dev.caravan.pipeline;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

import jakarta.annotation.PreDestroy;

/**
 * Runs retrains one at a time per model. A request for a model that is training waits as its follow-up; a newer
 * request replaces the waiting one, so a burst of triggers during a run becomes one follow-up run on the newest
 * data, not one run per trigger. Every request is a QUEUED run in the database before it is answered, so it survives
 * a crash; a follow-up it replaces is recorded as DROPPED, saying by which.
 *
 * <p>Nothing starts before {@link #release()}: at start, the runs a crash interrupted go first, then the ones that
 * waited, then what triggers bring, so a run on older data never overtakes one on newer data because of a restart.
 */
@Service
public class RetrainCoordinator {

    /**
     * What became of a request: it started, it waits as the model's follow-up, the very same run is going already,
     * or nothing started because a run already completed that very work (same model, snapshot and settings).
     */
    public enum Admission { STARTED, QUEUED, RUNNING, DONE }

    /** Where a run's request came from; recorded, not part of the run's identity. */
    static final String ORIGIN = "origin";

    private static final Logger log = LoggerFactory.getLogger(RetrainCoordinator.class);

    private final RetrainLauncher launcher;
    private final RunStore runs;
    private final ApplicationEventPublisher events;
    private final ExecutorService workers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "caravan-retrain");
        thread.setDaemon(true);
        return thread;
    });
    /** The run each busy model runs, or will run first once released. */
    private final Map<String, JobParameters> current = new LinkedHashMap<>();
    private final Map<String, JobParameters> waiting = new HashMap<>();
    private boolean held = true;

    public RetrainCoordinator(RetrainLauncher launcher, RunStore runs, ApplicationEventPublisher events) {
        this.launcher = launcher;
        this.runs = runs;
        this.events = events;
    }

    /** Starts the request now if its model is idle, else keeps it as the model's follow-up. */
    public Admission submit(RetrainRequest request) {
        return admit(new JobParametersBuilder(RetrainLauncher.parameters(request.model(), request.snapshot(),
                request.settings())).addString(ORIGIN, request.origin(), false).toJobParameters());
    }

    /** Resumes an interrupted or failed run from the step where it stopped, after the model's current work. */
    public Admission resume(JobParameters parameters) {
        return admit(parameters);
    }

    /**
     * Before {@link #release()}: takes back what a previous process left, {@code interrupted} runs first and then
     * the {@code waiting} ones, in the order given.
     */
    synchronized void recover(List<JobParameters> interrupted, List<RunStore.Waiting> waiting) {
        for (JobParameters parameters : interrupted) {
            runs.queued(RunNames.of(parameters), model(parameters), parameters.getString(RunNames.SNAPSHOT),
                    settings(parameters), "resumed: Caravan stopped while it ran");
            current.putIfAbsent(model(parameters), parameters);
        }
        for (RunStore.Waiting run : waiting) {
            admit(new JobParametersBuilder(RetrainLauncher.parameters(run.model(), run.snapshot(), run.settings()))
                    .addString(ORIGIN, run.origin() == null ? "a restart" : run.origin(), false).toJobParameters());
        }
    }

    /** Starts what was asked for while held, each model's first run now and its follow-up after it. */
    public void release() {
        Map<String, JobParameters> first;
        synchronized (this) {
            held = false;
            first = new LinkedHashMap<>(current);
        }
        first.forEach((model, parameters) -> workers.execute(() -> drain(model, parameters)));
    }

    /** True when no run of {@code model} is going and none waits. */
    public synchronized boolean idle(String model) {
        return !current.containsKey(model) && !waiting.containsKey(model);
    }

    /** Drops the waiting follow-up named {@code run}, recording why; true if it waited. */
    public synchronized boolean dropWaiting(String run, String reason) {
        boolean dropped = waiting.values().removeIf(parameters -> RunNames.of(parameters).equals(run));
        if (!dropped && held) {
            // Before release, a model's first waiting run already stands first in line.
            String model = current.entrySet().stream().filter(entry -> RunNames.of(entry.getValue()).equals(run))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            if (model != null) {
                current.remove(model);
                JobParameters next = waiting.remove(model);
                if (next != null) {
                    current.put(model, next);
                }
                dropped = true;
            }
        }
        if (dropped) {
            runs.dropped(run, reason);
        }
        return dropped;
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }

    private Admission admit(JobParameters parameters) {
        String model = model(parameters);
        String run = RunNames.of(parameters);
        synchronized (this) {
            JobParameters going = current.get(model);
            if (going != null && RunNames.of(going).equals(run)) {
                return held ? Admission.QUEUED : Admission.RUNNING;
            }
            // Recorded before it is answered: a crash from here on finds the run in the database.
            runs.queued(run, model, parameters.getString(RunNames.SNAPSHOT), settings(parameters),
                    parameters.getString(ORIGIN));
            if (held || going != null) {
                follow(model, run, parameters);
                return Admission.QUEUED;
            }
            current.put(model, parameters);
        }
        workers.execute(() -> drain(model, parameters));
        return Admission.STARTED;
    }

    /** Makes {@code parameters} the model's follow-up; the one it replaces is recorded as dropped. */
    private void follow(String model, String run, JobParameters parameters) {
        JobParameters replaced = waiting.put(model, parameters);
        if (replaced != null && !RunNames.of(replaced).equals(run)) {
            runs.dropped(RunNames.of(replaced), "replaced by run " + run + ", a newer request for " + model
                    + " (" + parameters.getString(ORIGIN) + "), before it started");
        }
        if (held && !current.containsKey(model)) {
            current.put(model, waiting.remove(model));
        }
    }

    private void drain(String model, JobParameters first) {
        JobParameters next = first;
        while (next != null) {
            try {
                launcher.launch(next);
            } catch (RuntimeException e) {
                // A run's own failure is in its record; this is a launch that could not happen at all.
                log.error("Run {} could not be launched: {}", RunNames.of(next), e.getMessage(), e);
                runs.notLaunched(RunNames.of(next), "could not be launched: " + e.getMessage());
                events.publishEvent(new RunEvent.LaunchFailed(RunNames.of(next), model, e.getMessage()));
            }
            if (workers.isShutdown()) {
                return; // Caravan stops: the follow-up stays QUEUED in the database and starts at the next start
            }
            synchronized (this) {
                next = waiting.remove(model);
                if (next == null) {
                    current.remove(model);
                } else {
                    current.put(model, next);
                }
            }
        }
    }

    private static String model(JobParameters parameters) {
        return parameters.getString(RunNames.MODEL);
    }

    /** The identifying parameters other than model and snapshot: the settings that differ from the pipeline's. */
    private static Map<String, String> settings(JobParameters parameters) {
        Map<String, String> settings = new TreeMap<>();
        parameters.getIdentifyingParameters().forEach((name, value) -> settings.put(name, String.valueOf(value.getValue())));
        settings.remove(RunNames.MODEL);
        settings.remove(RunNames.SNAPSHOT);
        return settings;
    }
}
