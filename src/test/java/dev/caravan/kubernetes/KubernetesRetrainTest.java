package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.batch.core.JobInstance;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.util.FileSystemUtils;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.kubernetes.testutil.KubernetesCaravan;
import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.kubernetes.testutil.MockCluster;
import dev.caravan.kubernetes.testutil.ServingPods;
import dev.caravan.kubernetes.testutil.TrainerPods;
import dev.caravan.kubernetes.testutil.TrainingOperator;
import dev.caravan.pipeline.RetrainLauncher;
import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunQueries;
import dev.caravan.pipeline.RunStore;
import dev.caravan.pipeline.RunView;
import dev.caravan.pipeline.StepView;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.serving.LocalServingBackend;
import dev.caravan.serving.ModelServerSettings;
import dev.caravan.snapshot.SnapshotStore;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;

/**
 * The {@code retrain} job in the {@code kubernetes} profile, end to end on the mock API server: a test operator runs
 * each TFJob's container (the real trainer; the two models the runs need train while Caravan starts, and each job
 * gets a copy), and Caravan's own model server stands in for the TensorFlow Serving pods, serving what the Deployment
 * names once its rollout is marked ready. The gate is open wide (as in
 * {@code SmokeTestRollbackTest}) so that a model trained for two steps reaches the smoke test and fails it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesRetrainTest {

    private static final String NS = KubernetesFixtures.NAMESPACE;
    private static final String[] OPEN_GATE = {"--caravan.pipelines.mnist.gate.min=0", "--caravan.pipelines.mnist.gate.tolerance=1"};

    private final S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
    private Path home;
    private EmbeddedS3 s3;
    private MockCluster cluster;
    private ObjectStore store;
    private LocalServingBackend modelServer;
    private ServingPods servingPods;
    private TrainerPods trainerPods;
    private TrainingOperator operator;
    private KubernetesCaravan caravan;
    private String snapshot;

    @BeforeAll
    void startClusterAndCaravan() {
        home = CaravanTestProperties.newHome();
        s3 = KubernetesCaravan.startS3(home.resolve("s3"));
        store = ObjectStore.connect(s3.settings());
        store.createBucketIfMissing("tfmnist");
        MnistUploads.uploadAll(store, data);
        cluster = MockCluster.start()
                .s3Secret(NS, KubernetesCaravan.ACCESS_KEY_ID, KubernetesCaravan.SECRET_ACCESS_KEY)
                .caravanPod(NS, KubernetesCaravan.POD);
        // the models the runs below ask for train while Caravan starts
        trainerPods = new TrainerPods(cluster.client(), NS, home.resolve("trainer-pods"))
                .pretrain(s3.settings(), data, 150, 50, 0.004).pretrain(s3.settings(), data, 2, 50, 0.004);
        modelServer = new LocalServingBackend(store, home.resolve("serving-pods"),
                ModelServerSettings.anyFreePorts());
        modelServer.start();
        servingPods = new ServingPods(cluster.client(), NS, modelServer);
        operator = new TrainingOperator(cluster.client(), NS).succeeding(trainerPods);
        caravan = KubernetesCaravan.start(home.resolve("caravan"), s3.settings(), cluster, servingPods.access(), OPEN_GATE);
        snapshot = caravan.bean(SnapshotStore.class).freeze(caravan.bean(PipelineCatalog.class).resolve("mnist")).hash();
    }

    @AfterAll
    void stopAll() {
        caravan.close();
        operator.close();
        servingPods.close();
        modelServer.close();
        store.close();
        s3.close();
        cluster.close();
        FileSystemUtils.deleteRecursively(home.toFile());
    }

    @Test
    @Order(1)
    void aRunTrainsAsATfJobAndIsServedByTheServingDeployment() {
        Run run = launch(Map.of());

        assertThat(run.outcome()).as(run.message()).isEqualTo("PROMOTED");
        GenericKubernetesResource job = onlyJob(run.name());
        assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "trainer")
                .containsEntry("app.kubernetes.io/instance", run.name())
                .containsEntry("app.kubernetes.io/component", "training")
                .containsEntry("app.kubernetes.io/part-of", "caravan")
                .containsEntry("app.kubernetes.io/managed-by", "caravan")
                .containsEntry("caravan.dev/run", run.name());
        assertTrainerEnvironment(TrainerPods.container(job), run);
        assertThat(Serialization.asYaml(job)).doesNotContain(KubernetesCaravan.SECRET_ACCESS_KEY);
        assertThat(client().apps().deployments().inNamespace(NS).withName("tensorboard-" + run.name()).get()).isNotNull();
        assertThat(client().services().inNamespace(NS).withName("tensorboard-" + run.name()).get()).isNotNull();
        assertThat(servingVersion()).isEqualTo("1");
        assertThat(serving().getMetadata().getAnnotations())
                .containsEntry("caravan.dev/export", "s3://tfmnist/models/mnist/1/");
        assertThat(servingPods.rollouts()).containsExactly(1L);
        RunView view = caravan.bean(RunQueries.class).get(run.name()).orElseThrow();
        assertThat(view.steps()).extracting(StepView::name, StepView::status).contains(
                org.assertj.core.groups.Tuple.tuple("smokeTest", "COMPLETED"));
        assertThat(view.smokeReport()).contains("Your model says the above number is... 7!");
    }

    @Test
    @Order(2)
    void theLeaderRunsTheTriggerRoutes() {
        CamelContext camel = caravan.bean(CamelContext.class);

        await().atMost(Duration.ofSeconds(10)).until(
                () -> camel.getRouteController().getRouteStatus("retrain-on-marker-mnist") == ServiceStatus.Started);
        assertThat(camel.getRouteController().getRouteStatus("tensorboard-janitor")).isEqualTo(ServiceStatus.Started);
        assertThat(client().leases().inNamespace(NS).withName("caravan-leader").get().getSpec().getHolderIdentity())
                .isEqualTo(KubernetesCaravan.POD);
    }

    @Test
    @Order(3)
    void aFailedTfJobFailsTheRunWithTheOperatorsMessageAndServingIsUntouched() {
        Map<String, String> settings = Map.of("trainSteps", "151");
        String name = RetrainLauncher.runName("mnist", snapshot, settings);
        String before = serving().getMetadata().getResourceVersion();
        operator.failingWith("TFJob " + name + " has failed because 1 Chief replica(s) failed.");
        try {
            Run run = launch(settings);

            assertThat(run.status()).isEqualTo("FAILED");
            assertThat(run.message()).isEqualTo("train: TFJob " + name + " failed: TFJobFailed: TFJob " + name
                    + " has failed because 1 Chief replica(s) failed.");
            assertThat(serving().getMetadata().getResourceVersion()).isEqualTo(before);
            assertThat(servingVersion()).isEqualTo("1");
        } finally {
            operator.succeeding(trainerPods);
        }
    }

    @Test
    @Order(4)
    void aModelThatFailsTheSmokeTestRollsTheServingDeploymentBack() {
        Run run = launch(Map.of("trainSteps", "2"));

        assertThat(run.status()).isEqualTo("FAILED");
        assertThat(run.message()).startsWith("smokeTest: smoke test of version " + run.modelVersion() + " failed")
                .endsWith("serving rolled back to version 1");
        assertThat(servingPods.rollouts()).containsExactly(1L, run.modelVersion(), 1L);
        assertThat(servingVersion()).isEqualTo("1");
        assertThat(caravan.bean(ModelRegistry.class).serving("mnist").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    @Order(5)
    void aRunInterruptedByACrashResumesAtTheNextStartAndAdoptsItsTfJob() throws Exception {
        // given: a run whose TFJob runs when Caravan goes down
        Map<String, String> settings = Map.of("trainSteps", "150", "batchSize", "50");
        String name = RetrainLauncher.runName("mnist", snapshot, settings);
        operator.runningForever();
        AtomicReference<Throwable> crashed = new AtomicReference<>();
        Thread running = new Thread(() -> {
            try {
                caravan.bean(RetrainLauncher.class).launch("mnist", snapshot, settings);
            } catch (Throwable e) {
                crashed.set(e);
            }
        }, "run-before-the-crash");
        running.setDaemon(true);
        running.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> jobs(name).size() == 1
                && !TrainingJobs.conditions(jobs(name).get(0)).isEmpty());
        String uid = jobs(name).get(0).getMetadata().getUid();
        caravan.close();
        running.interrupt();
        running.join(Duration.ofSeconds(10).toMillis());

        // when: Caravan starts again on the same home, and the TFJob finishes
        caravan = KubernetesCaravan.start(home.resolve("caravan"), s3.settings(), cluster, servingPods.access(), OPEN_GATE);
        operator.succeeding(trainerPods).finish(name);

        // then: the run resumed from its train step, adopted the TFJob, and promoted its model
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> runs().find(name).filter(r -> r.endedAt() != null).isPresent());
        Run run = runs().find(name).orElseThrow();
        assertThat(run.outcome()).as(run.message()).isEqualTo("PROMOTED");
        assertThat(jobs(name)).singleElement().extracting(j -> j.getMetadata().getUid()).isEqualTo(uid);
        JobInstance instance = caravan.bean(JobRepository.class)
                .getJobInstance("retrain", RetrainLauncher.parameters("mnist", snapshot, settings));
        assertThat(caravan.bean(JobExplorer.class).getJobExecutions(instance))
                .extracting(e -> e.getStatus().name()).containsExactlyInAnyOrder("FAILED", "COMPLETED");
        assertThat(servingVersion()).isEqualTo(Long.toString(run.modelVersion()));
    }

    @Test
    @Order(6)
    void aDistributedRunTrainsEveryReplicaOfItsTfJobAndExportsOnce() throws Exception {
        Run run = launch(Map.of("workers", "2", "ps", "1", "trainSteps", "100", "batchSize", "50"));

        assertThat(run.outcome()).as(run.message()).isEqualTo("PROMOTED");
        GenericKubernetesResource job = onlyJob(run.name());
        assertThat(TrainerPods.replicaCounts(job)).containsExactlyInAnyOrderEntriesOf(
                Map.of("Chief", 1, "Worker", 2, "PS", 1));
        Path logs = home.resolve("trainer-pods").resolve("jobs").resolve(run.name());
        List<String> checksums = new java.util.ArrayList<>();
        for (String replica : List.of("chief", "worker-0", "worker-1")) {
            String log = Files.readString(logs.resolve(replica + ".log"));
            assertThat(log).as(replica).contains(replica + " ran 100 steps");
            java.util.regex.Matcher checksum = java.util.regex.Pattern
                    .compile(replica + " global step 100, weights checksum (\\w+)").matcher(log);
            assertThat(checksum.find()).as(log).isTrue();
            checksums.add(checksum.group(1));
        }
        assertThat(checksums).containsOnly(checksums.get(0));
        S3Location modelDir = S3Location.parse("s3://tfmnist/training/" + run.name() + "/");
        List<String> written = store.list(modelDir).stream().map(o -> o.key().substring(modelDir.key().length())).toList();
        assertThat(written).contains("checkpoint", "metrics.json")
                .anyMatch(key -> key.startsWith("chief/events.out.tfevents."))
                .anyMatch(key -> key.startsWith("worker-0/events.out.tfevents."))
                .anyMatch(key -> key.startsWith("worker-1/events.out.tfevents."))
                .noneMatch(key -> key.startsWith("events.out") || key.startsWith("ps-"));
        assertThat(servingVersion()).isEqualTo(Long.toString(run.modelVersion()));
    }

    private void assertTrainerEnvironment(Container container, Run run) {
        Map<String, EnvVar> env = new java.util.HashMap<>();
        container.getEnv().forEach(v -> env.put(v.getName(), v));
        assertThat(env.get("TF_DATA_DIR").getValue()).as("the run's frozen snapshot, not the live prefix")
                .isEqualTo("s3://tfmnist/snapshots/mnist/" + run.snapshot() + "/");
        assertThat(env.get("TF_MODEL_DIR").getValue()).isEqualTo("s3://tfmnist/training/" + run.name() + "/");
        assertThat(env.get("TF_EXPORT_DIR").getValue()).isEqualTo("s3://tfmnist/models/mnist/" + run.modelVersion() + "/");
        assertThat(env.get("TF_TRAIN_STEPS").getValue()).isEqualTo("150");
        assertThat(env.get("TF_BATCH_SIZE").getValue()).isEqualTo("50");
        assertThat(env.get("TF_LEARNING_RATE").getValue()).as("config/pipelines/mnist.yaml's default").isEqualTo("0.004");
        assertThat(env.get("TF_LEARNING_RATE_SCHEDULE").getValue()).isEqualTo("warmup-cosine");
        assertThat(env.get("S3_ENDPOINT").getValue()).isEqualTo(s3.settings().endpoint().getAuthority());
        assertThat(env.get("S3_USE_HTTPS").getValue()).isEqualTo("0");
        assertThat(env.get("AWS_REGION").getValue()).isEqualTo("us-east-1");
        assertThat(env.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef())
                .extracting("name", "key").containsExactly("caravan-s3", "awsAccessKeyID");
        assertThat(env.get("AWS_SECRET_ACCESS_KEY").getValueFrom().getSecretKeyRef())
                .extracting("name", "key").containsExactly("caravan-s3", "awsSecretAccessKey");
    }

    private Run launch(Map<String, String> settings) {
        caravan.bean(RetrainLauncher.class).launch("mnist", snapshot, settings);
        return runs().find(RetrainLauncher.runName("mnist", snapshot, settings)).orElseThrow();
    }

    private RunStore runs() {
        return caravan.bean(RunStore.class);
    }

    private GenericKubernetesResource onlyJob(String name) {
        assertThat(jobs(name)).hasSize(1);
        return jobs(name).get(0);
    }

    private List<GenericKubernetesResource> jobs(String name) {
        return client().genericKubernetesResources(TrainingJobs.context(JobKind.TFJob)).inNamespace(NS).list().getItems()
                .stream().filter(j -> j.getMetadata().getName().equals(name)).toList();
    }

    private Deployment serving() {
        return client().apps().deployments().inNamespace(NS).withName("tf-serving-mnist").get();
    }

    private String servingVersion() {
        return serving().getMetadata().getAnnotations().get("caravan.dev/model-version");
    }

    private KubernetesClient client() {
        return cluster.client();
    }
}
