package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.ServingException;
import dev.caravan.storage.S3Location;

/**
 * The serving Deployment on the mock API server, with a stand-in controller that marks a rollout ready only for the
 * versions whose pods would pass their readiness probe: a version that never gets ready is rolled back.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesServingBackendTest {

    private static final String NS = KubernetesFixtures.NAMESPACE;

    static KubernetesClient client;

    private final Set<Long> healthy = ConcurrentHashMap.newKeySet();
    private final ExecutorService controller = Executors.newSingleThreadExecutor();
    private Watch watch;
    private KubernetesServingBackend serving;

    @BeforeEach
    void setUp() {
        client.apps().deployments().inNamespace(NS).delete();
        client.services().inNamespace(NS).delete();
        if (client.secrets().inNamespace(NS).withName("caravan-s3").get() == null) {
            KubernetesFixtures.createS3Secret(client);
        }
        KubernetesSettings settings = KubernetesFixtures.settings();
        serving = new KubernetesServingBackend(new KubernetesApi(client, settings),
                new ServingManifests(settings, KubernetesFixtures.s3()),
                (namespace, service) -> new ServingEndpoint(service + "." + namespace + ".svc", 8500, 8501),
                Duration.ofSeconds(1));
        watch = client.apps().deployments().inNamespace(NS).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment deployment) {
                if (action != Action.DELETED) {
                    controller.execute(() -> markReadyIfHealthy(deployment.getMetadata().getName()));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    @AfterEach
    void tearDown() {
        watch.close();
        controller.shutdownNow();
    }

    @Test
    void aVersionIsServedOnceItsRolloutIsReady() {
        healthy.add(1L);

        serving.serve("mnist", 1, export(1));

        assertThat(serving.servingVersion("mnist")).hasValue(1);
        Deployment deployment = deployment();
        assertThat(deployment.getMetadata().getAnnotations()).containsEntry("caravan.dev/export", "s3://tfmnist/models/mnist/1/");
        assertThat(client.services().inNamespace(NS).withName("tf-serving-mnist").get().getMetadata().getOwnerReferences())
                .singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo(deployment.getMetadata().getUid()));
        assertThat(serving.endpoint("mnist")).isEqualTo(new ServingEndpoint("tf-serving-mnist.caravan-test.svc", 8500, 8501));
    }

    @Test
    void aVersionThatNeverGetsReadyIsRolledBackToTheOneServedBefore() {
        healthy.add(1L);
        serving.serve("mnist", 1, export(1));

        assertThatThrownBy(() -> serving.serve("mnist", 2, export(2)))
                .isInstanceOf(ServingException.class)
                .hasMessage("version 2 of mnist did not become ready within PT1S; serving stays on version 1; "
                        + "see kubectl -n caravan-test describe deployment tf-serving-mnist");

        assertThat(serving.servingVersion("mnist")).hasValue(1);
        assertThat(deployment().getMetadata().getAnnotations()).containsEntry("caravan.dev/export", "s3://tfmnist/models/mnist/1/");
    }

    @Test
    void aFirstVersionThatNeverGetsReadySaysNothingServedBeforeIt() {
        assertThatThrownBy(() -> serving.serve("mnist", 1, export(1)))
                .hasMessageContaining("did not become ready within PT1S; nothing served before it");
    }

    @Test
    void stoppingRemovesTheDeploymentAndItsService() {
        healthy.add(1L);
        serving.serve("mnist", 1, export(1));

        serving.stop("mnist");

        assertThat(deployment()).isNull();
        assertThat(client.services().inNamespace(NS).withName("tf-serving-mnist").get()).isNull();
        assertThat(serving.servingVersion("mnist")).isEmpty();
    }

    private void markReadyIfHealthy(String name) {
        Deployment current = client.apps().deployments().inNamespace(NS).withName(name).get();
        if (current == null || current.getStatus() != null && current.getStatus().getReadyReplicas() != null) {
            return;
        }
        long version = KubernetesServingBackend.versionOf(current).orElse(-1);
        if (healthy.contains(version)) {
            int replicas = current.getSpec().getReplicas();
            current.setStatus(new DeploymentStatusBuilder().withObservedGeneration(current.getMetadata().getGeneration())
                    .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas).build());
            client.apps().deployments().inNamespace(NS).resource(current).updateStatus();
        }
    }

    private static Deployment deployment() {
        return client.apps().deployments().inNamespace(NS).withName("tf-serving-mnist").get();
    }

    private static S3Location export(long version) {
        return S3Location.parse("s3://tfmnist/models/mnist/" + version + "/");
    }
}
