package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.caravan.kubernetes.testutil.CrdSchema;
import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.kubernetes.testutil.TrainerPods;
import dev.caravan.storage.S3Location;

/** The objects a run creates: valid against the upstream TFJob CRD, labelled, with no secret written into them. */
class TrainingJobManifestTest {

    private static final Path CRD = Path.of("..", "shared", "reference", "crds", "kubeflow.org_tfjobs.v1.9.0.yaml");

    private final TrainingJobManifest manifest = new TrainingJobManifest(KubernetesFixtures.settings(), KubernetesFixtures.s3());

    @Test
    void theTfJobValidatesAgainstTheUpstreamV1Crd() throws Exception {
        Assumptions.assumeTrue(Files.exists(CRD), "the upstream TFJob CRD is not at " + CRD.toAbsolutePath()
                + " (reference data outside the project); skipping the schema check");
        GenericKubernetesResource job = manifest.build(KubernetesFixtures.request("mnist-0123456789"));

        GenericKubernetesResource commandJob = manifest.build(
                KubernetesFixtures.commandRequest("mnist-0123456789", "registry.example.com/mnist-trainer:1.0"));

        List<String> violations = CrdSchema.read(CRD, "v1").violations(asMaps(job));

        GenericKubernetesResource cluster = new TrainingJobManifest(KubernetesFixtures.settings(
                KubernetesFixtures.gpuTraining(0, 0, 1, "ghcr.io/caravan-dev/caravan:0.1.0-gpu")), KubernetesFixtures.s3())
                .build(KubernetesFixtures.request("mnist-0123456789", Map.of("workers", "2", "ps", "1")));

        assertThat(violations).isEmpty();
        assertThat(CrdSchema.read(CRD, "v1").violations(asMaps(commandJob))).isEmpty();
        assertThat(CrdSchema.read(CRD, "v1").violations(asMaps(cluster))).isEmpty();
        assertThat(CrdSchema.read(CRD, "v1").violations(Map.of("spec", Map.of("tfReplicaSpecs",
                Map.of("Worker", Map.of("replicas", "three")))))).containsExactly(".spec.tfReplicaSpecs.Worker.replicas: must be an integer");
    }

    @Test
    void aLoneChiefIsOneProcessThatMayBeRestartedUnderTheConfiguredRunPolicy() {
        Map<String, Object> spec = spec(manifest.build(KubernetesFixtures.request("mnist-0123456789")));

        Map<String, Object> replicas = map(spec.get("tfReplicaSpecs"));
        assertThat(replicas).containsOnlyKeys("Chief");
        assertThat(map(replicas.get("Chief"))).containsEntry("replicas", 1).containsEntry("restartPolicy", "OnFailure");
        assertThat(spec).doesNotContainKey("successPolicy");
        assertThat(map(spec.get("runPolicy"))).containsEntry("cleanPodPolicy", "Running")
                .containsEntry("ttlSecondsAfterFinished", 3600).containsEntry("activeDeadlineSeconds", 1800L)
                .containsEntry("backoffLimit", 2);
    }

    @Test
    void theRunsWorkersAndPsMakeAClusterOfChiefWorkersAndOnePsNoneOfThemRestarted() {
        Map<String, Object> spec = spec(manifest.build(KubernetesFixtures.request("mnist-0123456789",
                Map.of("workers", "2"))));

        Map<String, Object> replicas = map(spec.get("tfReplicaSpecs"));
        assertThat(replicas.keySet()).containsExactly("Chief", "Worker", "PS");
        assertThat(replicas.values()).extracting(r -> map(r).get("replicas")).containsExactly(1, 2, 1);
        assertThat(replicas.values()).extracting(r -> map(r).get("restartPolicy")).containsOnly("Never");
        assertThat(replicas.values()).allSatisfy(r -> {
            Container container = container(r);
            assertThat(container.getName()).isEqualTo("tensorflow");
            assertThat(container.getPorts()).singleElement().satisfies(port -> {
                assertThat(port.getName()).isEqualTo("tfjob-port");
                assertThat(port.getContainerPort()).isEqualTo(2222);
                assertThat(port.getProtocol()).isEqualTo("TCP");
            });
            assertThat(container.getEnv()).contains(new EnvVar("TF_WORKERS", "2", null));
        });
        assertThat(spec).doesNotContainKey("successPolicy");

        Map<String, Object> asyncTwoPs = map(spec(manifest.build(KubernetesFixtures.request("mnist-0123456789",
                Map.of("workers", "1", "ps", "2", "syncReplicas", "0")))).get("tfReplicaSpecs"));
        assertThat(asyncTwoPs.values()).extracting(r -> map(r).get("replicas")).containsExactly(1, 1, 2);
        assertThat(container(asyncTwoPs.get("PS")).getEnv()).contains(new EnvVar("TF_SYNC_REPLICAS", "0", null));

        Map<String, Object> single = map(spec(manifest.build(KubernetesFixtures.request("mnist-0123456789",
                Map.of("workers", "0")))).get("tfReplicaSpecs"));
        assertThat(single).containsOnlyKeys("Chief");
    }

    @Test
    void withoutTheRunsParametersTheSettingsShapeTheClusterAlwaysWithAChiefForTheBuiltinTrainer() {
        var settings = KubernetesFixtures.settings(KubernetesFixtures.training(JobKind.TFJob, 1, 3, 1));
        Map<String, Object> replicas = map(spec(new TrainingJobManifest(settings, KubernetesFixtures.s3())
                .build(KubernetesFixtures.request("mnist-0123456789"))).get("tfReplicaSpecs"));

        assertThat(replicas.values()).extracting(r -> map(r).get("replicas")).containsExactly(1, 3, 1);
        assertThatThrownBy(() -> new TrainingJobManifest(KubernetesFixtures.settings(KubernetesFixtures.training(
                JobKind.TFJob, 0, 3, 1)), KubernetesFixtures.s3()).build(KubernetesFixtures.request("mnist-1")))
                .hasMessageContaining("the built-in trainer needs a Chief").hasMessageContaining("chief=1");
        assertThatThrownBy(() -> manifest.build(KubernetesFixtures.request("mnist-1", Map.of("workers", "40"))))
                .hasMessageContaining("parameter workers=40 is out of range; give a whole number from 0 to 32");
        assertThatThrownBy(() -> new TrainingJobManifest(KubernetesFixtures.settings(KubernetesFixtures.training(
                JobKind.TFJob, 1, 3, 0)), KubernetesFixtures.s3()).build(KubernetesFixtures.request("mnist-1")))
                .hasMessageContaining("caravan.kubernetes.training.workers=3 with caravan.kubernetes.training.ps=0: the"
                        + " built-in trainer mnist-cnn does parameter-server training");
    }

    @Test
    void aPipelinesOwnTrainerGetsTheSettingsClusterOnlyWhenItsParametersAskForOne() {
        var settings = KubernetesFixtures.settings(KubernetesFixtures.training(JobKind.TFJob, 1, 3, 1));
        Map<String, Object> replicas = map(spec(new TrainingJobManifest(settings, KubernetesFixtures.s3())
                .build(KubernetesFixtures.commandRequest("mnist-0123456789", "registry.example.com/t:1")))
                .get("tfReplicaSpecs"));

        assertThat(replicas).containsOnlyKeys("Chief");
    }

    @Test
    void gpusGoToTheComputingReplicasOfTheGpuImageOnGpuNodes() {
        var settings = KubernetesFixtures.settings(KubernetesFixtures.gpuTraining(2, 1, 1,
                "ghcr.io/caravan-dev/caravan:0.1.0-gpu"));
        Map<String, Object> replicas = map(spec(new TrainingJobManifest(settings, KubernetesFixtures.s3())
                .build(KubernetesFixtures.request("mnist-0123456789"))).get("tfReplicaSpecs"));

        for (String computing : List.of("Chief", "Worker")) {
            assertThat(container(replicas.get(computing)).getImage()).isEqualTo("ghcr.io/caravan-dev/caravan:0.1.0-gpu");
            assertThat(container(replicas.get(computing)).getResources().getLimits()).containsKey("nvidia.com/gpu");
        }
        assertThat(container(replicas.get("PS")).getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        String pod = Serialization.asYaml(map(replicas.get("Worker")).get("template"));
        assertThat(pod).contains("nvidia.com/gpu: \"1\"").contains("cloud.google.com/gke-accelerator")
                .contains("effect: \"NoSchedule\"");
    }

    @Test
    void gpusWithTheCpuImageAreRefusedNamingBothImages() {
        var cpuImageOnGpus = KubernetesFixtures.settings(KubernetesFixtures.gpuTraining(0, 0, 1,
                "ghcr.io/caravan-dev/caravan:0.1.0"));

        assertThatThrownBy(() -> new TrainingJobManifest(cpuImageOnGpus, KubernetesFixtures.s3())
                .build(KubernetesFixtures.request("mnist-1")))
                .hasMessageContaining("caravan.kubernetes.training.gpu=1 asks for GPUs, but the built-in trainer would"
                        + " run in the CPU image ghcr.io/caravan-dev/caravan:0.1.0")
                .hasMessageContaining("set caravan.kubernetes.training.gpu-image to the GPU variant (built with"
                        + " ./mvnw -Pgpu, e.g. ghcr.io/caravan-dev/caravan:0.1.0-gpu");
        GenericKubernetesResource own = new TrainingJobManifest(cpuImageOnGpus, KubernetesFixtures.s3())
                .build(KubernetesFixtures.commandRequest("mnist-1", "registry.example.com/mnist-trainer:1.0-cuda"));
        assertThat(TrainerPods.container(own).getImage()).isEqualTo("registry.example.com/mnist-trainer:1.0-cuda");
    }

    @Test
    void theContainerGetsTheTrainerContractWithCredentialsFromTheSecret() {
        String yaml = Serialization.asYaml(manifest.build(KubernetesFixtures.request("mnist-0123456789")));

        assertThat(yaml).contains("TF_DATA_DIR", "s3://tfmnist/data/mnist/", "TF_EXPORT_DIR", "s3://tfmnist/models/mnist/1/",
                "TF_MODEL_DIR", "TF_TRAIN_STEPS", "S3_ENDPOINT", "minio.caravan-test.svc:9000", "key: \"awsAccessKeyID\"",
                "key: \"awsSecretAccessKey\"", "name: \"caravan-s3\"");
        assertThat(yaml).doesNotContain("AKIDTEST").doesNotContain("SECRETTEST");
    }

    @Test
    void aBuiltinTrainerRunsInCaravansImageAndIsNamedInTheEnvironment() {
        Container container = TrainerPods.container(manifest.build(KubernetesFixtures.request("mnist-0123456789")));

        assertThat(container.getImage()).isEqualTo("ghcr.io/caravan-dev/caravan:0.1.0");
        assertThat(container.getCommand()).containsExactly("java", "-cp", "/app/caravan.jar:/app/lib/*",
                "dev.caravan.training.MnistTrainer");
        assertThat(container.getEnv()).contains(new EnvVar("CARAVAN_TRAINER", "mnist-cnn", null));
    }

    @Test
    void aPipelinesOwnTrainerRunsItsCommandInItsImageUnderTheSameContract() {
        GenericKubernetesResource job = manifest.build(
                KubernetesFixtures.commandRequest("mnist-0123456789", "registry.example.com/mnist-trainer:1.0"));

        Container container = TrainerPods.container(job);
        assertThat(container.getImage()).isEqualTo("registry.example.com/mnist-trainer:1.0");
        assertThat(container.getCommand()).containsExactly("python", "train.py");
        assertThat(container.getArgs()).isEmpty();
        assertThat(container.getEnv()).extracting(EnvVar::getName).contains("TF_DATA_DIR", "TF_MODEL_DIR",
                "TF_EXPORT_DIR", "TF_EPOCHS", "S3_ENDPOINT", "AWS_ACCESS_KEY_ID").doesNotContain("CARAVAN_TRAINER");
        assertThat(Serialization.asYaml(job)).doesNotContain("SECRETTEST");
    }

    @Test
    void aPipelinesOwnTrainerWithoutAnImageIsRefusedSayingToAddOne() {
        assertThatThrownBy(() -> manifest.build(KubernetesFixtures.commandRequest("mnist-0123456789", null)))
                .hasMessageContaining("the pipeline's trainer command [python, train.py] has no image to run in on"
                        + " Kubernetes; add trainer.image to the pipeline file");
        assertThatThrownBy(() -> manifest.build(KubernetesFixtures.commandRequest("mnist-0123456789", "My Trainer")))
                .hasMessageContaining("trainer.image 'My Trainer' is not a valid image reference");
    }

    @Test
    void pyTorchAndMpiJobsRunOnlyAPipelinesOwnTrainerAndAnMpiWorkerRunsNoneOfIt() {
        var pytorch = new TrainingJobManifest(KubernetesFixtures.settings(KubernetesFixtures.training(JobKind.PyTorchJob, 1, 2, 0)),
                KubernetesFixtures.s3()).build(KubernetesFixtures.commandRequest("mnist-0123456789", "registry.example.com/t:1"));
        var mpi = new TrainingJobManifest(KubernetesFixtures.settings(KubernetesFixtures.training(JobKind.MPIJob, 1, 2, 0)),
                KubernetesFixtures.s3()).build(KubernetesFixtures.commandRequest("mnist-0123456789", "registry.example.com/t:1"));

        assertThat(pytorch.getKind()).isEqualTo("PyTorchJob");
        Map<String, Object> pytorchReplicas = map(spec(pytorch).get("pytorchReplicaSpecs"));
        assertThat(pytorchReplicas).containsOnlyKeys("Master", "Worker");
        assertThat(pytorchReplicas.values()).allSatisfy(r -> assertThat(container(r).getCommand())
                .containsExactly("python", "train.py"));
        assertThat(container(pytorchReplicas.get("Master")).getName()).isEqualTo("pytorch");
        Map<String, Object> mpiReplicas = map(spec(mpi).get("mpiReplicaSpecs"));
        assertThat(mpiReplicas).containsOnlyKeys("Launcher", "Worker");
        assertThat(container(mpiReplicas.get("Launcher")).getName()).isEqualTo("mpi");
        assertThat(container(mpiReplicas.get("Launcher")).getCommand()).containsExactly("python", "train.py");
        assertThat(container(mpiReplicas.get("Worker")).getImage()).isEqualTo("registry.example.com/t:1");
        assertThat(container(mpiReplicas.get("Worker")).getCommand()).isEmpty();
        assertThat(container(mpiReplicas.get("Worker")).getArgs()).isEmpty();
    }

    @Test
    void pyTorchAndMpiJobsRefuseTheBuiltinTrainerSayingWhy() {
        assertThatThrownBy(() -> new TrainingJobManifest(KubernetesFixtures.settings(KubernetesFixtures.training(
                JobKind.PyTorchJob, 1, 2, 0)), KubernetesFixtures.s3()).build(KubernetesFixtures.request("mnist-1")))
                .hasMessageContaining("kind=PyTorchJob runs only a trainer of your own")
                .hasMessageContaining("MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK")
                .hasMessageContaining("it speaks TF_CONFIG");
        assertThatThrownBy(() -> new TrainingJobManifest(KubernetesFixtures.settings(KubernetesFixtures.training(
                JobKind.MPIJob, 1, 2, 0)), KubernetesFixtures.s3()).build(KubernetesFixtures.request("mnist-1")))
                .hasMessageContaining("kind=MPIJob runs only a trainer of your own")
                .hasMessageContaining("must start the ranks on its Workers with mpirun");
        assertThatThrownBy(() -> new TrainingJobManifest(KubernetesFixtures.settings(KubernetesFixtures.training(
                JobKind.MPIJob, 0, 2, 0)), KubernetesFixtures.s3())
                .build(KubernetesFixtures.commandRequest("mnist-1", "registry.example.com/t:1")))
                .hasMessageContaining("an MPIJob has exactly one Launcher");
    }

    @Test
    void everyObjectOfARunHasTheStandardLabels() {
        var tensorboard = new TensorBoardManifests(KubernetesFixtures.settings(), KubernetesFixtures.s3());
        var serving = new ServingManifests(KubernetesFixtures.settings(), KubernetesFixtures.s3());
        S3Location export = S3Location.parse("s3://tfmnist/models/mnist/1/");
        List<HasMetadata> objects = List.of(manifest.build(KubernetesFixtures.request("mnist-0123456789")),
                tensorboard.deployment("mnist-0123456789", export, java.time.Instant.EPOCH), tensorboard.service("mnist-0123456789"),
                serving.deployment("mnist", 1, export), serving.service("mnist"));

        assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getLabels()).containsKeys(Names.NAME, Names.INSTANCE,
                Names.COMPONENT, Names.PART_OF, Names.MANAGED_BY));
        assertThat(tensorboard.deployment("mnist-0123456789", export, java.time.Instant.EPOCH).getMetadata().getLabels())
                .containsEntry("app", "tensorboard-mnist-0123456789");
    }

    @Test
    void badInputIsRefusedWithTheSettingItConcerns() {
        assertThatThrownBy(() -> manifest.build(KubernetesFixtures.request("Mnist_Run")))
                .hasMessageContaining("run name 'Mnist_Run'").hasMessageContaining("DNS-1123");
        assertThatThrownBy(() -> new TrainingJobManifest(KubernetesFixtures.settings(KubernetesFixtures.training(JobKind.TFJob, 0, 0, 0)),
                KubernetesFixtures.s3()).build(KubernetesFixtures.request("mnist-1"))).hasMessageContaining("needs a chief or at least one worker");
        assertThatThrownBy(() -> new TrainingJobManifest(KubernetesFixtures.settings(KubernetesFixtures.training(JobKind.TFJob, 1, -1, 0)),
                KubernetesFixtures.s3()).build(KubernetesFixtures.request("mnist-1"))).hasMessageContaining("workers must be at least 0");
        var badImage = new KubernetesSettings.Training(JobKind.TFJob, "Caravan:latest!", "caravan:1-gpu", List.of(),
                List.of(), 1, 0, 0,
                "1", "2Gi", 0, Map.of(), List.of(), "Running", 0, 60, 0);
        assertThatThrownBy(() -> new TrainingJobManifest(KubernetesFixtures.settings(badImage), KubernetesFixtures.s3())
                .build(KubernetesFixtures.request("mnist-1"))).hasMessageContaining("not a valid image reference");
        var badMemory = new KubernetesSettings.Training(JobKind.TFJob, "caravan:1", "caravan:1-gpu", List.of(),
                List.of(), 1, 0, 0,
                "1", "2 GB", 0, Map.of(), List.of(), "Running", 0, 60, 0);
        assertThatThrownBy(() -> new TrainingJobManifest(KubernetesFixtures.settings(badMemory), KubernetesFixtures.s3())
                .build(KubernetesFixtures.request("mnist-1"))).hasMessageContaining("memory '2 GB' is not a Kubernetes quantity");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMaps(Object object) {
        return Serialization.jsonMapper().convertValue(object, Map.class);
    }

    private static Map<String, Object> spec(GenericKubernetesResource job) {
        return asMaps(job.getAdditionalProperties().get("spec"));
    }

    private static Container container(Object replicaSpec) {
        PodTemplateSpec template = Serialization.jsonMapper().convertValue(map(replicaSpec).get("template"),
                PodTemplateSpec.class);
        return template.getSpec().getContainers().get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }
}
