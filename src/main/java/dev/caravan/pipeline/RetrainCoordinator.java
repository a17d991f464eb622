package dev.caravan.pipeline;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
 * data, not one run per trigger.
 */
@Service
public class RetrainCoordinator {

    /**
     * What became of a request: it started, it waits as the model's follow-up, or nothing started because a run
     * already completed that very work (same model, snapshot and settings).
     */
    public enum Admission { STARTED, QUEUED, DONE }

    /** Where a run's request came from; recorded, not part of the run's identity. */
    static final String ORIGIN = "origin";

    private static final Logger log = LoggerFactory.getLogger(RetrainCoordinator.class);

    private final RetrainLauncher launcher;
    private final ApplicationEventPublisher events;
    private final ExecutorService workers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "caravan-retrain");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> active = new HashSet<>();
    private final Map<String, JobParameters> waiting = new HashMap<>();

    public RetrainCoordinator(RetrainLauncher launcher, ApplicationEventPublisher events) {
        this.launcher = launcher;
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

    /** True when no run of {@code model} is going and none waits. */
    public synchronized boolean idle(String model) {
        return !active.contains(model) && !waiting.containsKey(model);
    }

    /** Drops the waiting follow-up named {@code run}; true if it waited. */
    public synchronized boolean dropWaiting(String run) {
        return waiting.values().removeIf(parameters -> RunNames.of(parameters).equals(run));
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }

    private Admission admit(JobParameters parameters) {
        String model = parameters.getString(RunNames.MODEL);
        synchronized (this) {
            if (active.contains(model)) {
                waiting.put(model, parameters);
                return Admission.QUEUED;
            }
            active.add(model);
        }
        workers.execute(() -> drain(model, parameters));
        return Admission.STARTED;
    }

    private void drain(String model, JobParameters first) {
        JobParameters next = first;
        while (next != null) {
            try {
                launcher.launch(next);
            } catch (RuntimeException e) {
                // A run's own failure is in its record; this is a launch that could not happen at all.
                log.error("Run {} could not be launched: {}", RunNames.of(next), e.getMessage(), e);
                events.publishEvent(new RunEvent.LaunchFailed(RunNames.of(next), model, e.getMessage()));
            }
            synchronized (this) {
                next = waiting.remove(model);
                if (next == null) {
                    active.remove(model);
                }
            }
        }
    }
}
