package dev.caravan.kubernetes.testutil;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import dev.caravan.kubernetes.ServingAccess;
import dev.caravan.serving.LocalServingBackend;
import dev.caravan.serving.ServingException;
import dev.caravan.storage.S3Location;

/**
 * Stands in for the Deployment controller and the TensorFlow Serving pods of the serving Deployments on the mock API
 * server: for each rollout, Caravan's own model server loads the version the Deployment names from the export it
 * names, and only when that worked is the rollout marked ready, as a readiness probe would. A version that cannot
 * load leaves the rollout unready.
 */
public final class ServingPods implements AutoCloseable {

    private static final String VERSION = "caravan.dev/model-version";
    private static final String EXPORT = "caravan.dev/export";
    private static final String MODEL = "caravan.dev/model";

    private final KubernetesClient client;
    private final String namespace;
    private final LocalServingBackend server;
    private final Watch watch;
    private final ExecutorService controller = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "serving-pods");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Long> rollouts = new CopyOnWriteArrayList<>();
    private final Map<Long, Instant> firstSeen = new ConcurrentHashMap<>();

    public ServingPods(KubernetesClient client, String namespace, LocalServingBackend server) {
        this.client = client;
        this.namespace = namespace;
        this.server = server;
        this.watch = client.apps().deployments().inNamespace(namespace)
                .withLabel("app.kubernetes.io/component", "serving").watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Deployment deployment) {
                        String version = annotation(deployment, VERSION);
                        if (version != null) {
                            firstSeen.putIfAbsent(Long.parseLong(version), Instant.now());
                        }
                        if (action == Action.DELETED) {
                            controller.execute(() -> server.stop(deployment.getMetadata().getLabels().get(MODEL)));
                        } else {
                            controller.execute(() -> reconcile(deployment.getMetadata().getName()));
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
    }

    /** How Caravan reaches these pods: the test's model server, whatever the Service. */
    public ServingAccess access() {
        return (ns, service) -> server.endpoint();
    }

    /** The versions rolled out to ready, in order. */
    public List<Long> rollouts() {
        return List.copyOf(rollouts);
    }

    /** When a Deployment naming {@code version} was first seen. */
    public Optional<Instant> firstSeen(long version) {
        return Optional.ofNullable(firstSeen.get(version));
    }

    private void reconcile(String name) {
        Deployment current = client.apps().deployments().inNamespace(namespace).withName(name).get();
        if (current == null) {
            return;
        }
        long generation = current.getMetadata().getGeneration() == null ? 0 : current.getMetadata().getGeneration();
        if (ready(current, generation)) {
            return;
        }
        String model = current.getMetadata().getLabels().get(MODEL);
        long version = Long.parseLong(annotation(current, VERSION));
        try {
            server.serve(model, version, S3Location.parse(annotation(current, EXPORT)));
        } catch (ServingException e) {
            return;
        }
        int replicas = current.getSpec().getReplicas() == null ? 1 : current.getSpec().getReplicas();
        current.setStatus(new DeploymentStatusBuilder().withObservedGeneration(generation).withReplicas(replicas)
                .withUpdatedReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas).build());
        client.apps().deployments().inNamespace(namespace).resource(current).updateStatus();
        if (rollouts.isEmpty() || rollouts.get(rollouts.size() - 1) != version) {
            rollouts.add(version);
        }
    }

    private static boolean ready(Deployment d, long generation) {
        return d.getStatus() != null && d.getStatus().getObservedGeneration() != null
                && d.getStatus().getObservedGeneration() == generation && d.getStatus().getReadyReplicas() != null
                && d.getStatus().getReadyReplicas().equals(d.getSpec().getReplicas());
    }

    private static String annotation(Deployment d, String key) {
        return d.getMetadata().getAnnotations() == null ? null : d.getMetadata().getAnnotations().get(key);
    }

    @Override
    public void close() {
        watch.close();
        controller.shutdownNow();
    }
}
