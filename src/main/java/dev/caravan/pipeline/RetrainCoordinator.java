package dev.caravan.pipeline;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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
 *
 * <p>With several replicas only the leader starts runs. A replica that does not lead ({@link #follow}) only records
 * each request as a QUEUED run and answers QUEUED with the run's name; the leader takes those rows up
 * ({@link #takeQueued()}). A leader that stops leading ({@link #handOver}) lets its runs go for the next leader.
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
    static final String HANDED_OVER = "handed over: the replica that ran it stopped leading; the next leader resumes it";

    /** Following records requests for the leader; held leads but starts nothing yet; leading starts runs. */
    private enum State { FOLLOWING, HELD, LEADING }

    private static final Logger log = LoggerFactory.getLogger(RetrainCoordinator.class);

    private final RetrainLauncher launcher;
    private final RunStore runs;
    private final ApplicationEventPublisher events;
    /** The threads that run this leadership's runs; a new set each time this replica leads again. */
    private ExecutorService workers = newWorkers();
    /** The run each busy model runs, or will run first once released. */
    private final Map<String, JobParameters> current = new LinkedHashMap<>();
    private final Map<String, JobParameters> waiting = new HashMap<>();
    private State state = State.HELD;

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
        state = State.HELD;
        for (JobParameters parameters : interrupted) {
            runs.queued(RunNames.of(parameters), model(parameters), parameters.getString(RunNames.SNAPSHOT),
                    settings(parameters), "resumed: Caravan stopped while it ran");
            current.putIfAbsent(model(parameters), parameters);
        }
        for (RunStore.Waiting run : waiting) {
            admit(parameters(run, "a restart"));
        }
    }

    /**
     * The leader's part: takes up, oldest first, the runs that other replicas recorded as QUEUED and this one does
     * not know yet. Does nothing unless this replica leads and was released.
     */
    public synchronized void takeQueued() {
        if (state != State.LEADING) {
            return;
        }
        for (RunStore.Waiting run : runs.waiting()) {
            if (!known(run.name())) {
                admit(parameters(run, "another replica"));
            }
        }
    }

    /** From now on only records requests, for the leader to start: another replica leads. */
    public synchronized void follow() {
        state = State.FOLLOWING;
        current.clear();
        waiting.clear();
    }

    /**
     * Stops leading: starts nothing more, interrupts the runs going here and waits up to {@code timeout} for them to
     * let go. A training is left running (the train step of the next leader adopts it, as after a crash); each run
     * that let go is QUEUED again, for the next leader to resume from the step where it stopped. The runs that only
     * waited stay QUEUED in the database.
     */
    public void handOver(Duration timeout) {
        ExecutorService ending;
        List<JobParameters> going;
        synchronized (this) {
            going = state == State.LEADING ? List.copyOf(current.values()) : List.of();
            ending = workers;
            follow();
        }
        ending.shutdownNow();
        try {
            if (!ending.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Runs {} did not let go within {}; they end here, each as FAILED or STOPPED, and can be "
                        + "retried", going.stream().map(RunNames::of).toList(), timeout);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Interrupted while handing runs {} over; they may need a retry", going.stream().map(RunNames::of).toList());
            return;
        }
        for (JobParameters parameters : going) {
            // A run that completed keeps its record; one that was cut short waits for the next leader.
            runs.queued(RunNames.of(parameters), model(parameters), parameters.getString(RunNames.SNAPSHOT),
                    settings(parameters), HANDED_OVER);
        }
    }

    /** Starts what was asked for while held, each model's first run now and its follow-up after it. */
    public void release() {
        Map<String, JobParameters> first;
        ExecutorService launching;
        synchronized (this) {
            state = State.LEADING;
            if (workers.isShutdown()) {
                workers = newWorkers();
            }
            first = new LinkedHashMap<>(current);
            launching = workers;
        }
        first.forEach((model, parameters) -> launching.execute(() -> drain(model, parameters, launching)));
    }

    /** True when no run of {@code model} is going and none waits. */
    public synchronized boolean idle(String model) {
        if (state == State.FOLLOWING) {
            return runs.list("QUEUED", model, null, 1).isEmpty() && runs.list("STARTED", model, null, 1).isEmpty();
        }
        return !current.containsKey(model) && !waiting.containsKey(model);
    }

    /**
     * Drops the run named {@code run} if it waits, here or in the database for the leader, recording why; true if it
     * waited.
     */
    public synchronized boolean dropWaiting(String run, String reason) {
        boolean dropped = state != State.FOLLOWING && dropFromMemory(run);
        if (!dropped && known(run)) {
            return false; // it is going here
        }
        return runs.dropped(run, reason) || dropped;
    }

    private boolean dropFromMemory(String run) {
        boolean dropped = waiting.values().removeIf(parameters -> RunNames.of(parameters).equals(run));
        if (!dropped && state == State.HELD) {
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
        return dropped;
    }

    /** True if this replica runs {@code run} or keeps it as a follow-up. */
    private boolean known(String run) {
        return current.values().stream().anyMatch(parameters -> RunNames.of(parameters).equals(run))
                || waiting.values().stream().anyMatch(parameters -> RunNames.of(parameters).equals(run));
    }

    @PreDestroy
    synchronized void stop() {
        workers.shutdownNow();
    }

    private Admission admit(JobParameters parameters) {
        String model = model(parameters);
        String run = RunNames.of(parameters);
        ExecutorService launching;
        synchronized (this) {
            JobParameters going = current.get(model);
            if (going != null && RunNames.of(going).equals(run)) {
                return state == State.HELD ? Admission.QUEUED : Admission.RUNNING;
            }
            // Recorded before it is answered: a crash from here on finds the run in the database.
            if (state == State.FOLLOWING) {
                // The leader takes it up from the database, or runs it already.
                return runs.requested(run, model, parameters.getString(RunNames.SNAPSHOT), settings(parameters),
                        parameters.getString(ORIGIN)) ? Admission.QUEUED : Admission.RUNNING;
            }
            runs.queued(run, model, parameters.getString(RunNames.SNAPSHOT), settings(parameters),
                    parameters.getString(ORIGIN));
            if (state == State.HELD || going != null) {
                follow(model, run, parameters);
                return Admission.QUEUED;
            }
            current.put(model, parameters);
            launching = workers;
        }
        launching.execute(() -> drain(model, parameters, launching));
        return Admission.STARTED;
    }

    /** Makes {@code parameters} the model's follow-up; the one it replaces is recorded as dropped. */
    private void follow(String model, String run, JobParameters parameters) {
        JobParameters replaced = waiting.put(model, parameters);
        if (replaced != null && !RunNames.of(replaced).equals(run)) {
            runs.dropped(RunNames.of(replaced), "replaced by run " + run + ", a newer request for " + model
                    + " (" + parameters.getString(ORIGIN) + "), before it started");
        }
        if (state == State.HELD && !current.containsKey(model)) {
            current.put(model, waiting.remove(model));
        }
    }

    private void drain(String model, JobParameters first, ExecutorService launching) {
        JobParameters next = first;
        while (next != null) {
            try {
                if (stillQueued(next)) {
                    launcher.launch(next);
                }
            } catch (RuntimeException e) {
                // A run's own failure is in its record; this is a launch that could not happen at all.
                log.error("Run {} could not be launched: {}", RunNames.of(next), e.getMessage(), e);
                runs.notLaunched(RunNames.of(next), "could not be launched: " + e.getMessage());
                events.publishEvent(new RunEvent.LaunchFailed(RunNames.of(next), model, e.getMessage()));
            }
            if (launching.isShutdown()) {
                return; // this replica stops leading: the follow-up stays QUEUED in the database for the next leader
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

    /** False for a run dropped in the database meanwhile, e.g. stopped through another replica. */
    private boolean stillQueued(JobParameters parameters) {
        String run = RunNames.of(parameters);
        boolean queued = runs.find(run).map(found -> "QUEUED".equals(found.status())).orElse(true);
        if (!queued) {
            log.info("Run {} no longer waits (stopped or dropped meanwhile); it does not start", run);
        }
        return queued;
    }

    private static JobParameters parameters(RunStore.Waiting run, String defaultOrigin) {
        return new JobParametersBuilder(RetrainLauncher.parameters(run.model(), run.snapshot(), run.settings()))
                .addString(ORIGIN, run.origin() == null ? defaultOrigin : run.origin(), false).toJobParameters();
    }

    private static ExecutorService newWorkers() {
        return Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "caravan-retrain");
            thread.setDaemon(true);
            return thread;
        });
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
