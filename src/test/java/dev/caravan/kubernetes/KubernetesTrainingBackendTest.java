package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.kubernetes.testutil.TrainingOperator;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.testutil.Pipelines;
import dev.caravan.training.TrainingException;
import dev.caravan.training.TrainingRequest;
import dev.caravan.training.TrainingResult;

/** The TFJob backend on the mock API server, with a test controller playing the training operator. */
@EnableKubernetesMockClient(crud = true)
class KubernetesTrainingBackendTest {

    static KubernetesClient client;

    private static EmbeddedS3 s3;
    private static ObjectStore store;
    private TrainingOperator operator;
    private KubernetesTrainingBackend backend;

    @BeforeAll
    static void startS3(@TempDir Path dir) {
        s3 = EmbeddedS3.start(dir, "127.0.0.1", 0, "AKIDTEST", "SECRETTEST");
        store = ObjectStore.connect(s3.settings());
        store.createBucketIfMissing("tfmnist");
    }

    @AfterAll
    static void stopS3() {
        store.close();
        s3.close();
    }

    @BeforeEach
    void setUp() {
        if (client.secrets().inNamespace(KubernetesFixtures.NAMESPACE).withName("caravan-s3").get() == null) {
            KubernetesFixtures.createS3Secret(client);
        }
        operator = new TrainingOperator(client, KubernetesFixtures.NAMESPACE);
        KubernetesSettings settings = KubernetesFixtures.settings();
        backend = new KubernetesTrainingBackend(new KubernetesApi(client, settings),
                new TrainingJobManifest(settings, s3.settings()), JobKind.TFJob, store);
    }

    @AfterEach
    void tearDown() {
        operator.close();
    }

    @Test
    void aSucceededTfJobWithAnExportIsATrainedModel() {
        TrainingRequest request = KubernetesFixtures.request("mnist-aaaaaaaaaa");
        operator.succeeding(job -> store.put(request.exportDir().resolve("saved_model.pb"), new byte[] {1}));

        TrainingResult result = backend.train(request, progress -> { });

        assertThat(result.export()).isEqualTo(request.exportDir());
        assertThat(jobs()).filteredOn(j -> j.getMetadata().getName().equals(request.runName())).hasSize(1);
    }

    @Test
    void aFailedTfJobFailsTheTrainingWithTheOperatorsReasonAndMessage() {
        operator.failingWith("TFJob mnist-bbbbbbbbbb has failed because 1 Chief replica(s) failed.");

        assertThatThrownBy(() -> backend.train(KubernetesFixtures.request("mnist-bbbbbbbbbb"), progress -> { }))
                .isInstanceOf(TrainingException.class)
                .hasMessage("TFJob mnist-bbbbbbbbbb failed: TFJobFailed: TFJob mnist-bbbbbbbbbb has failed because 1 Chief replica(s) failed.");
    }

    @Test
    void aRetriedRunDeletesItsFailedTfJobAndTrainsAgain() {
        TrainingRequest request = KubernetesFixtures.request("mnist-rrrrrrrrrr");
        operator.failingWith("TFJob mnist-rrrrrrrrrr has failed because 1 Worker replica(s) failed.");
        assertThatThrownBy(() -> backend.train(request, progress -> { })).isInstanceOf(TrainingException.class);
        String failed = jobs().stream().filter(j -> j.getMetadata().getName().equals(request.runName())).findFirst()
                .orElseThrow().getMetadata().getUid();

        operator.succeeding(job -> store.put(request.exportDir().resolve("saved_model.pb"), new byte[] {1}));
        TrainingResult retried = backend.train(request, progress -> { });

        assertThat(retried.export()).isEqualTo(request.exportDir());
        assertThat(jobs()).filteredOn(j -> j.getMetadata().getName().equals(request.runName())).singleElement()
                .extracting(j -> j.getMetadata().getUid()).isNotEqualTo(failed);
    }

    @Test
    void aReplicaKilledForItsMemoryIsNamedInTheFailure() {
        client.pods().inNamespace(KubernetesFixtures.NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName("mnist-kkkkkkkkkk-chief-0")
                .addToLabels("training.kubeflow.org/job-name", "mnist-kkkkkkkkkk")
                .addToLabels("training.kubeflow.org/replica-type", "chief")
                .addToLabels("training.kubeflow.org/replica-index", "0").endMetadata()
                .withNewStatus().addNewContainerStatus().withName("tensorflow").withNewState().withNewTerminated()
                .withExitCode(137).withReason("OOMKilled").endTerminated().endState().endContainerStatus().endStatus()
                .build()).create();
        operator.failingWith("TFJob mnist-kkkkkkkkkk has failed because 1 Chief replica(s) failed.");

        assertThatThrownBy(() -> backend.train(KubernetesFixtures.request("mnist-kkkkkkkkkk"), progress -> { }))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("1 Chief replica(s) failed. chief-0 was OOMKilled (exit code 137): it used more "
                        + "memory than its container's limit");
    }

    @Test
    void aRestartedStepAdoptsTheTfJobItCreatedBeforeAndCreatesNoSecond() throws Exception {
        TrainingRequest request = KubernetesFixtures.request("mnist-cccccccccc");
        operator.runningForever();
        ExecutorService steps = Executors.newCachedThreadPool();
        try {
            Future<TrainingResult> crashed = steps.submit(() -> backend.train(request, p -> { }));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> jobs().stream().anyMatch(j -> j.getMetadata().getName().equals(request.runName())));
            // the step's thread is interrupted, as when Caravan stops
            crashed.cancel(true);

            // the step runs again with the same run name while the job still runs
            Future<TrainingResult> restarted = steps.submit(() -> backend.train(request, p -> { }));
            operator.succeeding(job -> store.put(request.exportDir().resolve("saved_model.pb"), new byte[] {1}));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                operator.finish(request.runName());
                assertThat(restarted).isDone();
            });

            assertThat(restarted.get(1, TimeUnit.SECONDS).export()).isEqualTo(request.exportDir());
            assertThat(jobs()).filteredOn(j -> j.getMetadata().getName().equals(request.runName())).hasSize(1);
        } finally {
            steps.shutdownNow();
        }
    }

    @Test
    void cancelDeletesTheRunsTfJobAndTheTrainingWaitingForItEnds() throws Exception {
        TrainingRequest request = KubernetesFixtures.request("mnist-gggggggggg");
        operator.runningForever();
        ExecutorService steps = Executors.newCachedThreadPool();
        try {
            Future<TrainingResult> training = steps.submit(() -> backend.train(request, p -> { }));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> jobs().stream().anyMatch(j -> j.getMetadata().getName().equals(request.runName())));

            assertThat(backend.cancel(request.runName())).isTrue();

            assertThatThrownBy(() -> training.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TrainingException.class)
                    .hasMessageContaining("TFJob mnist-gggggggggg was deleted");
            assertThat(jobs()).noneMatch(j -> j.getMetadata().getName().equals(request.runName()));
            assertThat(backend.cancel(request.runName())).as("nothing left to stop").isFalse();
        } finally {
            steps.shutdownNow();
        }
    }

    @Test
    void aTfJobThatOutlivesTheDeadlineFailsTheTraining() {
        operator.runningForever();
        TrainingRequest quick = new TrainingRequest("mnist-dddddddddd", KubernetesFixtures.request("x").dataDir(),
                KubernetesFixtures.request("x").modelDir(), KubernetesFixtures.request("x").exportDir(),
                Pipelines.cnnTrainer(Duration.ofMillis(300)), Pipelines.parameters(10, 10, 0.1));

        assertThatThrownBy(() -> backend.train(quick, p -> { }))
                .hasMessageStartingWith("TFJob mnist-dddddddddd did not finish within PT0.3S");
    }

    @Test
    void aPipelinesOwnTrainerWithoutAnImageFailsTheTrainingBeforeAnythingIsCreated() {
        TrainingRequest request = KubernetesFixtures.commandRequest("mnist-hhhhhhhhhh", null);

        assertThatThrownBy(() -> backend.train(request, p -> { }))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("add trainer.image to the pipeline file");
        assertThat(jobs()).noneMatch(j -> j.getMetadata().getName().equals("mnist-hhhhhhhhhh"));
    }

    @Test
    void aMissingSecretIsReportedBeforeAnythingIsCreated() {
        client.secrets().inNamespace(KubernetesFixtures.NAMESPACE).withName("caravan-s3").delete();

        assertThatThrownBy(() -> backend.train(KubernetesFixtures.request("mnist-eeeeeeeeee"), p -> { }))
                .hasMessageContaining("the S3 Secret 'caravan-s3' does not exist in namespace caravan-test");
        assertThat(jobs()).noneMatch(j -> j.getMetadata().getName().equals("mnist-eeeeeeeeee"));
    }

    @Test
    void anUnreachableClusterIsReportedWithTheApiMessage() {
        KubernetesSettings settings = KubernetesFixtures.settings();
        try (KubernetesClient nowhere = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("https://127.0.0.1:1").withRequestTimeout(500)
                        .withConnectionTimeout(500).withRequestRetryBackoffLimit(0).build()).build()) {
            var unreachable = new KubernetesTrainingBackend(new KubernetesApi(nowhere, settings),
                    new TrainingJobManifest(settings, s3.settings()), JobKind.TFJob, store);

            assertThatThrownBy(() -> unreachable.train(KubernetesFixtures.request("mnist-ffffffffff"), p -> { }))
                    .hasMessageContaining("Kubernetes API failed to read the S3 Secret").hasMessageContaining("after 3 attempts");
        }
    }

    private java.util.List<io.fabric8.kubernetes.api.model.GenericKubernetesResource> jobs() {
        return client.genericKubernetesResources(TrainingJobs.context(JobKind.TFJob)).inNamespace(KubernetesFixtures.NAMESPACE)
                .list().getItems();
    }
}
