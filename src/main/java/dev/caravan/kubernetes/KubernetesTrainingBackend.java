package dev.caravan.kubernetes;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.Resource;

import dev.caravan.storage.ObjectStore;
import dev.caravan.training.TrainingBackend;
import dev.caravan.training.TrainingException;
import dev.caravan.training.TrainingListener;
import dev.caravan.training.TrainingProgress;
import dev.caravan.training.TrainingRequest;
import dev.caravan.training.TrainingResult;

/**
 * Trains with a {@code kubeflow.org/v1} job named after the run: creates it, or adopts the one a crashed step created,
 * then watches it until the operator's {@code Succeeded} or {@code Failed} condition, or the request's deadline.
 */
final class KubernetesTrainingBackend implements TrainingBackend {

    private static final Logger log = LoggerFactory.getLogger(KubernetesTrainingBackend.class);
    // The labels training-operator v1 puts on the pods of a job (common_types.go).
    static final String OPERATOR_LABELS = "training.kubeflow.org/";
    private static final Duration LOG_FOLLOW_POLL = Duration.ofMillis(250);
    /** How long a failed job may take to go once deleted (its pods are deleted first). */
    private static final Duration FAILED_JOB_DELETION = Duration.ofMinutes(2);
    // A followed log of a pod that is still starting (pulling its image) begins once it runs, within this wait.
    private static final Duration LOG_FOLLOW_READY_WAIT = Duration.ofMinutes(1);
    // A replica as TF_CONFIG names it, chief or <type>-<index>; a bare type is its index 0.
    private static final Pattern REPLICA_NAME = Pattern.compile("([a-z]+)(?:-(\\d{1,3}))?");

    private final KubernetesApi api;
    private final TrainingJobManifest manifest;
    private final JobKind kind;
    private final ObjectStore store;

    KubernetesTrainingBackend(KubernetesApi api, TrainingJobManifest manifest, JobKind kind, ObjectStore store) {
        this.api = api;
        this.manifest = manifest;
        this.kind = kind;
        this.store = store;
    }

    @Override
    public TrainingResult train(TrainingRequest request, TrainingListener listener) {
        if (request.timeout() == null || request.timeout().isNegative() || request.timeout().isZero()) {
            throw new TrainingException("the training of run " + request.runName() + " has no positive timeout");
        }
        Instant started = Instant.now();
        try {
            GenericKubernetesResource job = manifest.build(request);
            api.checkReady();
            createOrAdopt(job, request.runName());
            TrainingJobs.Condition outcome = await(request, started.plus(request.timeout()));
            if (!outcome.succeeded()) {
                String why = PodTerminations.of(pods(request.runName()));
                throw new TrainingException(kind + " " + request.runName() + " failed: " + outcome.reason() + ": "
                        + outcome.message() + (why.isEmpty() ? "" : " " + why + "."));
            }
            if (!store.exists(request.exportDir().resolve("saved_model.pb"))) {
                throw new TrainingException(kind + " " + request.runName() + " succeeded but wrote no SavedModel to "
                        + request.exportDir() + "; check that the trainer exports to $TF_EXPORT_DIR");
            }
            TrainingProgress last = new TrainingProgress(request.trainSteps(), request.trainSteps(), Double.NaN, Double.NaN);
            return new TrainingResult(request.exportDir(), last, Duration.between(started, Instant.now()));
        } catch (IllegalArgumentException | KubernetesException e) {
            throw new TrainingException(e.getMessage(), e);
        }
    }

    /**
     * The log of the run's coordinator pod (Chief, Master or Launcher), else of worker 0, as the training operator
     * labels them ({@code training.kubeflow.org/job-name}, {@code replica-type}, {@code replica-index}); or, for
     * {@code replica} {@code worker-1}, {@code ps-0} ..., of the pod with that replica type (lowercase) and index.
     */
    @Override
    public void copyLog(String runName, String replica, OutputStream out, BooleanSupplier follow) throws IOException {
        boolean byDefault = replica == null || replica.isBlank() || replica.equalsIgnoreCase("chief");
        Pod pod = (byDefault ? logPod(runName) : replicaPod(runName, replica)).orElseThrow(() -> noPod(runName, replica));
        PodResource resource = api.client().pods().inNamespace(api.namespace()).resource(pod);
        if (!follow.getAsBoolean()) {
            out.write(resource.inContainer(kind.containerName()).getLog().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return;
        }
        try (LogWatch watch = resource.inContainer(kind.containerName())
                .withReadyWaitTimeout((int) LOG_FOLLOW_READY_WAIT.toMillis()).watchLog(out)) {
            while (follow.getAsBoolean()) {
                Thread.sleep(LOG_FOLLOW_POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Pod> pods(String runName) {
        return api.client().pods().inNamespace(api.namespace())
                .withLabel(OPERATOR_LABELS + "job-name", runName).list().getItems();
    }

    /** The pod of {@code replica}, {@code <type>-<index>} as TF_CONFIG names it, e.g. {@code worker-1}. */
    private Optional<Pod> replicaPod(String runName, String replica) {
        Matcher name = REPLICA_NAME.matcher(replica.toLowerCase(Locale.ROOT));
        if (!name.matches()) {
            return Optional.empty();
        }
        String index = name.group(2) == null ? "0" : name.group(2);
        return pods(runName).stream().filter(pod -> name.group(1).equalsIgnoreCase(label(pod, "replica-type"))
                && index.equals(label(pod, "replica-index"))).findFirst();
    }

    private TrainingException noPod(String runName, String replica) {
        List<String> replicas = pods(runName).stream()
                .map(pod -> label(pod, "replica-type").toLowerCase(Locale.ROOT) + "-" + label(pod, "replica-index"))
                .sorted().toList();
        if (replicas.isEmpty()) {
            return new TrainingException("run " + runName + " has no trainer pod in namespace " + api.namespace()
                    + ": it has not started yet, or its " + kind + " was cleaned up after it ended"
                    + " (ttlSecondsAfterFinished); its events are still in S3 under its TF_MODEL_DIR");
        }
        return new TrainingException("run " + runName + " has no pod of replica '" + replica + "' in namespace "
                + api.namespace() + "; its pods are the replicas " + replicas);
    }

    private static String label(Pod pod, String name) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? "" : labels.getOrDefault(OPERATOR_LABELS + name, "");
    }

    private Optional<Pod> logPod(String runName) {
        List<Pod> pods = pods(runName);
        Comparator<Pod> coordinatorFirst = Comparator.comparing(pod -> {
            Map<String, String> labels = pod.getMetadata().getLabels();
            String type = labels.getOrDefault(OPERATOR_LABELS + "replica-type", "");
            boolean coordinator = kind.replicaTypes().get(0).equalsIgnoreCase(type);
            return (coordinator ? "0" : "1") + labels.getOrDefault(OPERATOR_LABELS + "replica-index", "9");
        });
        return pods.stream().min(coordinatorFirst);
    }

    /** Deletes the run's job, and with it its pods; the {@code train} call watching it then fails. */
    @Override
    public boolean cancel(String runName) {
        try {
            GenericKubernetesResource job = api.call("read " + kind + " " + runName, () -> jobs().withName(runName).get());
            Map<String, String> labels = job == null ? null : job.getMetadata().getLabels();
            if (labels == null || !runName.equals(labels.get(Names.RUN))) {
                return false;
            }
            api.run("delete " + kind + " " + runName, () -> jobs().withName(runName).delete());
            log.info("Deleted {} {}: its run was asked to stop", kind, runName);
            return true;
        } catch (KubernetesException e) {
            throw new TrainingException("cannot stop " + kind + " " + runName + ": " + e.getMessage(), e);
        }
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> jobs() {
        return api.client().genericKubernetesResources(TrainingJobs.context(kind)).inNamespace(api.namespace());
    }

    /**
     * Creates the run's job, or adopts the one it created before (a restarted Caravan follows it). A job of this run
     * that failed is deleted first: a retried run trains again instead of reading the old failure, which the
     * operator keeps until {@code ttlSecondsAfterFinished}.
     */
    private void createOrAdopt(GenericKubernetesResource job, String runName) {
        String name = job.getMetadata().getName();
        GenericKubernetesResource existing = api.call("read " + kind + " " + name, () -> jobs().withName(name).get());
        if (existing != null && ownedBy(existing, runName) && TrainingJobs.outcome(existing)
                .filter(outcome -> !outcome.succeeded()).isPresent()) {
            deleteFailed(name);
            existing = null;
        }
        if (existing == null) {
            existing = api.call("create " + kind + " " + name, () -> createUnlessPresent(job));
            log.info("Created {} {} in namespace {}", kind, name, api.namespace());
        } else {
            log.info("Adopted {} {} created before by this run", kind, name);
        }
        if (!ownedBy(existing, runName)) {
            throw new KubernetesException(kind + " " + name + " exists in namespace " + api.namespace()
                    + " but was not created by Caravan for run " + runName + "; delete it or rename the model");
        }
    }

    private static boolean ownedBy(GenericKubernetesResource job, String runName) {
        return job.getMetadata().getLabels() != null && runName.equals(job.getMetadata().getLabels().get(Names.RUN));
    }

    /** Deletes the failed job {@code name} with its pods, and waits until the API server no longer has it. */
    private void deleteFailed(String name) {
        api.run("delete " + kind + " " + name, () -> jobs().withName(name)
                .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete());
        Instant deadline = Instant.now().plus(FAILED_JOB_DELETION);
        while (api.call("read " + kind + " " + name, () -> jobs().withName(name).get()) != null) {
            if (Instant.now().isAfter(deadline)) {
                throw new KubernetesException(kind + " " + name + " failed before and is still there "
                        + FAILED_JOB_DELETION.toSeconds() + " s after Caravan deleted it to train again; check its"
                        + " finalizers (kubectl get " + kind.plural() + " " + name + " -o yaml), then retry");
            }
            try {
                Thread.sleep(LOG_FOLLOW_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KubernetesException("interrupted while waiting for the failed " + kind + " " + name
                        + " to be deleted; retry the run");
            }
        }
        log.info("Deleted the failed {} {} to train again", kind, name);
    }

    private GenericKubernetesResource createUnlessPresent(GenericKubernetesResource job) {
        try {
            return jobs().resource(job).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return jobs().withName(job.getMetadata().getName()).get();
            }
            throw e;
        }
    }

    /** Watches the job until it finishes; a watch the API server closes is opened again. */
    private TrainingJobs.Condition await(TrainingRequest request, Instant deadline) {
        String name = request.runName();
        while (true) {
            CompletableFuture<Optional<TrainingJobs.Condition>> finished = new CompletableFuture<>();
            try (Watch ignored = api.call("watch " + kind + " " + name, () -> jobs().withName(name).watch(watcher(finished)))) {
                // The job may have finished before the watch started: look once after it is open.
                GenericKubernetesResource now = api.call("read " + kind + " " + name, () -> jobs().withName(name).get());
                if (now == null) {
                    throw new TrainingException(kind + " " + name + " was deleted while Caravan waited for it");
                }
                TrainingJobs.outcome(now).ifPresent(c -> finished.complete(Optional.of(c)));
                Duration left = Duration.between(Instant.now(), deadline);
                Optional<TrainingJobs.Condition> outcome = finished.get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS);
                if (outcome.isPresent()) {
                    return outcome.get();
                }
            } catch (TimeoutException e) {
                throw new TrainingException(kind + " " + name + " did not finish within " + request.timeout()
                        + "; it keeps its pods for inspection (kubectl -n " + api.namespace() + " describe "
                        + kind.name().toLowerCase() + " " + name + "); raise the training timeout or activeDeadlineSeconds");
            } catch (ExecutionException e) {
                throw new TrainingException(kind + " " + name + " could not be watched: " + e.getCause().getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainingException("interrupted while watching " + kind + " " + name
                        + "; it keeps running, and training this run again adopts it", e);
            }
        }
    }

    private Watcher<GenericKubernetesResource> watcher(CompletableFuture<Optional<TrainingJobs.Condition>> finished) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource resource) {
                if (action == Action.DELETED) {
                    finished.completeExceptionally(new KubernetesException(kind + " "
                            + resource.getMetadata().getName() + " was deleted before it finished"));
                    return;
                }
                TrainingJobs.outcome(resource).ifPresent(c -> finished.complete(Optional.of(c)));
            }

            @Override
            public void onClose(WatcherException cause) {
                finished.complete(Optional.empty());
            }
        };
    }
}
