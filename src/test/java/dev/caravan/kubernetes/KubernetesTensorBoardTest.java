package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.storage.S3Location;
import dev.caravan.tensorboard.TensorBoardInfo;

/** A run's TensorBoard on the mock API server: what is created, that a restart adopts it, and the retention sweep. */
@EnableKubernetesMockClient(crud = true)
class KubernetesTensorBoardTest {

    private static final String NS = KubernetesFixtures.NAMESPACE;

    static KubernetesClient client;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private KubernetesTensorBoard tensorBoard;

    @BeforeEach
    void setUp() {
        client.apps().deployments().inNamespace(NS).delete();
        client.services().inNamespace(NS).delete();
        if (client.secrets().inNamespace(NS).withName("caravan-s3").get() == null) {
            KubernetesFixtures.createS3Secret(client);
        }
        KubernetesSettings settings = KubernetesFixtures.settings();
        tensorBoard = new KubernetesTensorBoard(new KubernetesApi(client, settings),
                new TensorBoardManifests(settings, KubernetesFixtures.s3()), clock);
    }

    @Test
    void aRunsTensorBoardIsADeploymentAndServiceOverItsEventFiles() {
        TensorBoardInfo info = tensorBoard.start("mnist-aaaaaaaaaa", logDir("mnist-aaaaaaaaaa"));

        Deployment deployment = deployment("mnist-aaaaaaaaaa");
        assertThat(deployment.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "tensorboard")
                .containsEntry("app.kubernetes.io/instance", "mnist-aaaaaaaaaa")
                .containsEntry("app.kubernetes.io/component", "tensorboard")
                .containsEntry("app.kubernetes.io/part-of", "caravan")
                .containsEntry("app.kubernetes.io/managed-by", "caravan")
                .containsEntry("caravan.dev/run", "mnist-aaaaaaaaaa");
        assertThat(deployment.getMetadata().getAnnotations())
                .containsEntry("caravan.dev/retain-until", "2026-03-08T10:00:00Z");
        var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getArgs()).containsSequence("--logdir", "s3://tfmnist/training/mnist-aaaaaaaaaa/");
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("AWS_SECRET_ACCESS_KEY")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("caravan-s3"));
        Service service = service("mnist-aaaaaaaaaa");
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getTargetPort().getIntVal()).isEqualTo(6006));
        assertThat(service.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(deployment.getMetadata().getUid()));
        assertThat(info.logDir()).isEqualTo("s3://tfmnist/training/mnist-aaaaaaaaaa/");
        assertThat(info.howToOpen()).isEqualTo("kubectl -n caravan-test port-forward service/tensorboard-mnist-aaaaaaaaaa"
                + " 6006:80, then http://127.0.0.1:6006");
    }

    @Test
    void aRestartedStepKeepsTheOneTensorBoardItStartedBefore() {
        tensorBoard.start("mnist-bbbbbbbbbb", logDir("mnist-bbbbbbbbbb"));
        String uid = deployment("mnist-bbbbbbbbbb").getMetadata().getUid();

        tensorBoard.start("mnist-bbbbbbbbbb", logDir("mnist-bbbbbbbbbb"));

        assertThat(client.apps().deployments().inNamespace(NS).withLabel("caravan.dev/run", "mnist-bbbbbbbbbb").list()
                .getItems()).singleElement().satisfies(d -> assertThat(d.getMetadata().getUid()).isEqualTo(uid));
        assertThat(client.services().inNamespace(NS).withLabel("caravan.dev/run", "mnist-bbbbbbbbbb").list().getItems())
                .hasSize(1);
    }

    @Test
    void onlyTensorBoardsPastTheirRetentionAreRemoved() {
        tensorBoard.start("mnist-cccccccccc", logDir("mnist-cccccccccc"));
        clock.advance(Duration.ofDays(3));
        tensorBoard.start("mnist-dddddddddd", logDir("mnist-dddddddddd"));

        clock.advance(Duration.ofDays(4).plusMinutes(1));
        int removed = tensorBoard.removeExpired();

        assertThat(removed).isEqualTo(1);
        assertThat(client.apps().deployments().inNamespace(NS).withName("tensorboard-mnist-cccccccccc").get()).isNull();
        assertThat(client.services().inNamespace(NS).withName("tensorboard-mnist-cccccccccc").get()).isNull();
        assertThat(deployment("mnist-dddddddddd")).isNotNull();
        assertThat(service("mnist-dddddddddd")).isNotNull();
        assertThat(tensorBoard.removeExpired()).isZero();
    }

    private static S3Location logDir(String run) {
        return S3Location.parse("s3://tfmnist/training/" + run + "/");
    }

    private static Deployment deployment(String run) {
        return client.apps().deployments().inNamespace(NS).withName("tensorboard-" + run).get();
    }

    private static Service service(String run) {
        return client.services().inNamespace(NS).withName("tensorboard-" + run).get();
    }

    /** A clock the test moves forward. */
    private static final class MovableClock extends Clock {

        private final AtomicReference<Instant> now;

        MovableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
