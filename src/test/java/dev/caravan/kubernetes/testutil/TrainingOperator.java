package dev.caravan.kubernetes.testutil;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import dev.caravan.kubernetes.JobKind;
import dev.caravan.kubernetes.TrainingJobs;

/**
 * Plays the training operator on the mock API server: moves each new job through Created and Running to Succeeded
 * (after {@code train} ran its replicas, the Chief exiting 0) or to Failed with the operator's message ("TFJob
 * ns/name has failed because 1 Worker replica(s) failed.", training-operator v1.9), followed here by which replica
 * and why. A {@code train} that throws a {@link ReplicaFailure} fails the job for that replica's type; any other
 * exception as a Chief that exits non-zero. Deleting a job stops its {@link TrainerPods}. Jobs are worked on one at a
 * time, off the watch thread, and the times they were seen and succeeded are kept.
 */
public final class TrainingOperator implements AutoCloseable {

    private final KubernetesClient client;
    private final String namespace;
    private final Watch watch;
    private final ExecutorService pods = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "training-operator");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Instant> created = new ConcurrentHashMap<>();
    private final Map<String, Instant> succeeded = new ConcurrentHashMap<>();
    private volatile Consumer<GenericKubernetesResource> train = job -> { };
    private volatile Consumer<String> deleted = name -> { };
    private volatile String failure;
    private volatile boolean finish = true;

    public TrainingOperator(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.watch = client.genericKubernetesResources(TrainingJobs.context(JobKind.TFJob)).inNamespace(namespace)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, GenericKubernetesResource job) {
                        if (action == Action.ADDED) {
                            created.putIfAbsent(name(job), Instant.now());
                            pods.execute(() -> reconcile(job));
                        } else if (action == Action.DELETED) {
                            deleted.accept(name(job));
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
    }

    /** New jobs succeed once {@code train} has run with them (it writes the export). */
    public TrainingOperator succeeding(Consumer<GenericKubernetesResource> train) {
        this.train = train;
        this.failure = null;
        this.finish = true;
        return this;
    }

    /** New jobs run every replica in {@code pods}, and end as their Chief or a failed replica decides. */
    public TrainingOperator succeeding(TrainerPods pods) {
        succeeding((Consumer<GenericKubernetesResource>) pods);
        this.deleted = pods::delete;
        return this;
    }

    /** New jobs fail with {@code message}, as when the chief's container exits non-zero. */
    public TrainingOperator failingWith(String message) {
        this.failure = message;
        this.finish = true;
        return this;
    }

    /** New jobs stay Running: a crashed Caravan or a job that outlives its deadline. */
    public TrainingOperator runningForever() {
        this.finish = false;
        return this;
    }

    /** Finishes {@code name} now, as configured; for a job adopted after a restart. */
    public void finish(String name) {
        finish = true;
        reconcile(client.genericKubernetesResources(TrainingJobs.context(JobKind.TFJob)).inNamespace(namespace)
                .withName(name).get());
    }

    private void reconcile(GenericKubernetesResource job) {
        List<Map<String, Object>> conditions = new ArrayList<>();
        conditions.add(condition("Created", "TFJobCreated", "TFJob " + name(job) + " is created."));
        setStatus(job, conditions);
        conditions.add(condition("Running", "TFJobRunning", "TFJob " + name(job) + " is running."));
        setStatus(job, conditions);
        if (!finish) {
            return;
        }
        if (failure != null) {
            conditions.add(condition("Failed", "TFJobFailed", failure));
        } else {
            try {
                train.accept(job);
                conditions.add(condition("Succeeded", "TFJobSucceeded", "TFJob " + name(job) + " successfully completed."));
                succeeded.put(name(job), Instant.now());
            } catch (ReplicaFailure e) {
                conditions.add(failed(job, e.replicaType(), e.getMessage()));
            } catch (RuntimeException e) {
                conditions.add(failed(job, "Chief", e.getMessage()));
            }
        }
        setStatus(job, conditions);
    }

    /** When the operator first saw the job. */
    public Optional<Instant> createdAt(String name) {
        return Optional.ofNullable(created.get(name));
    }

    /** When the operator set the job's Succeeded condition (just before writing it). */
    public Optional<Instant> succeededAt(String name) {
        return Optional.ofNullable(succeeded.get(name));
    }

    private Map<String, Object> failed(GenericKubernetesResource job, String replicaType, String why) {
        return condition("Failed", "TFJobFailed", "TFJob " + namespace + "/" + name(job) + " has failed because 1 "
                + replicaType + " replica(s) failed. " + why);
    }

    private void setStatus(GenericKubernetesResource job, List<Map<String, Object>> conditions) {
        var jobs = client.genericKubernetesResources(TrainingJobs.context(JobKind.TFJob)).inNamespace(namespace);
        GenericKubernetesResource current = jobs.withName(name(job)).get();
        if (current == null) {
            // Deleted meanwhile (caravan stop): the operator has nothing left to report on.
            return;
        }
        current.getAdditionalProperties().put("status", Map.of("conditions", List.copyOf(conditions)));
        jobs.resource(current).updateStatus();
    }

    private static Map<String, Object> condition(String type, String reason, String message) {
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", type);
        condition.put("status", "True");
        condition.put("reason", reason);
        condition.put("message", message);
        condition.put("lastTransitionTime", Instant.now().toString());
        return condition;
    }

    private static String name(GenericKubernetesResource job) {
        return job.getMetadata().getName();
    }

    @Override
    public void close() {
        watch.close();
        pods.shutdownNow();
    }
}
