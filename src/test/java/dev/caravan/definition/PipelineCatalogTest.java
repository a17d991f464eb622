package dev.caravan.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import dev.caravan.storage.S3Location;

/** Pipeline files become definitions, and a definition Caravan cannot run is refused naming file, key and reason. */
class PipelineCatalogTest {

    private static final String FASHION = """
            model: fashion
            source:
              bucket: tfmnist
              prefix: data/fashion/
              quietPeriod: 30s
            trainer:
              command: [./train.sh, --epochs, "3"]
              image: registry.example/fashion-trainer:1
              parameters: {epochs: 3, dropout: 0.25, optimizer: adam}
            evaluation:
              builtin: trainer
            gate: {metric: f1, min: 0.8, tolerance: 0.01}
            smokeTest:
              samples: s3://tfmnist/samples/fashion.jsonl
              minCorrect: 0.8
            """;

    @TempDir
    Path dir;

    @Test
    void theShippedMnistFileReproducesTheBuiltInPipeline() {
        PipelineCatalog catalog = catalogOf(Path.of("config/pipelines"));

        PipelineDefinition mnist = catalog.resolve(null);
        assertThat(mnist.name()).isEqualTo("mnist");
        assertThat(mnist.model()).isEqualTo("mnist");
        assertThat(mnist.dataLocation()).isEqualTo(S3Location.parse("s3://tfmnist/data/mnist/"));
        assertThat(mnist.source().markerKey()).isEqualTo("data/mnist/_SUCCESS");
        assertThat(mnist.source().quietPeriodEnabled()).isFalse();
        assertThat(mnist.trainer().builtin()).isEqualTo("mnist-cnn");
        assertThat(mnist.trainer().parameters()).containsExactlyInAnyOrderEntriesOf(
                Map.of("trainSteps", "600", "batchSize", "100", "learningRate", "0.004",
                        "learningRateSchedule", "warmup-cosine"));
        assertThat(mnist.trainer().timeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(mnist.validation().builtin()).isEqualTo("mnist-idx");
        assertThat(mnist.evaluation().builtin()).isEqualTo("mnist-idx");
        assertThat(mnist.gate()).isEqualTo(new PipelineDefinition.Gate("accuracy", 0.97, 0.005));
        assertThat(mnist.smokeTest().samples()).isEmpty();
        assertThat(mnist.smokeTest().minCorrect()).isEqualTo(0.9);
    }

    @Test
    void aCommandTrainerPipelineGetsItsDefaultsAndIsFoundByNameOrModel() throws IOException {
        write("fashion-v2.yaml", FASHION);

        PipelineCatalog catalog = catalogOf(dir);

        PipelineDefinition fashion = catalog.resolve("fashion");
        assertThat(catalog.resolve("fashion-v2")).isEqualTo(fashion);
        assertThat(fashion.trainer().command()).containsExactly("./train.sh", "--epochs", "3");
        assertThat(fashion.trainer().imageName()).contains("registry.example/fashion-trainer:1");
        assertThat(fashion.validation().builtin()).isEqualTo("none");
        assertThat(fashion.source().quietPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fashion.smokeTest().samples()).contains(S3Location.parse("s3://tfmnist/samples/fashion.jsonl"));
    }

    @Test
    void aRunMayOverrideOnlyParametersTheTrainerTakesWithValuesOfTheirKind() throws IOException {
        write("fashion.yaml", FASHION);
        PipelineDefinition fashion = catalogOf(dir).resolve("fashion");
        PipelineDefinition mnist = catalogOf(Path.of("config/pipelines")).resolve("mnist");

        assertThat(fashion.parameters(Map.of("epochs", "5", "optimizer", "sgd")))
                .containsEntry("epochs", "5").containsEntry("optimizer", "sgd").containsEntry("dropout", "0.25");
        assertThat(mnist.parameter("trainSteps", "2e3")).isEqualTo("2000");
        assertThat(mnist.parameter("learningRateSchedule", " Constant")).isEqualTo("constant");
        assertThatThrownBy(() -> mnist.parameter("learningRateSchedule", "step"))
                .hasMessage("parameter learningRateSchedule=step is not one of [warmup-cosine, constant]");
        assertThatThrownBy(() -> fashion.parameter("epochs", "2.5")).hasMessageContaining("a whole number");
        assertThatThrownBy(() -> fashion.parameter("layers", "3")).hasMessageContaining("unknown parameter 'layers'");
        for (String bad : List.of("Infinity", "NaN", "1e300", "-1", "0", "1.5", "9".repeat(100_000))) {
            assertThatThrownBy(() -> mnist.parameter("trainSteps", bad)).as(bad.substring(0, Math.min(bad.length(), 9)))
                    .hasMessageStartingWith("parameter trainSteps=").hasMessageContaining("from 1 to 1000000");
        }
        for (String bad : List.of("NaN", "Infinity", "1e-320", "0", "1.5")) {
            assertThatThrownBy(() -> mnist.parameter("learningRate", bad)).as(bad)
                    .hasMessageContaining("learningRate=" + bad);
        }
        assertThatThrownBy(() -> mnist.parameter("batchSize", "1e12")).hasMessageContaining("from 1 to 10000");
        assertThatThrownBy(() -> mnist.parameter("trainSteps", null)).hasMessageContaining("has no value");
    }

    @Test
    void aBuiltinTrainerTakesTheShapeOfItsClusterAsParameters() {
        PipelineDefinition mnist = catalogOf(Path.of("config/pipelines")).resolve("mnist");

        assertThat(mnist.parameters(Map.of("workers", "2", "ps", "1", "syncReplicas", "0")))
                .containsEntry("workers", "2").containsEntry("ps", "1").containsEntry("syncReplicas", "0");
        assertThatThrownBy(() -> mnist.parameter("workers", "33")).hasMessageContaining("from 0 to 32");
        assertThatThrownBy(() -> mnist.parameter("ps", "9")).hasMessageContaining("from 0 to 8");
        assertThatThrownBy(() -> mnist.parameter("syncReplicas", "2")).hasMessageContaining("from 0 to 1");
        assertThatThrownBy(() -> mnist.parameter("workers", "1.5")).hasMessageContaining("a whole number");

        assertThat(ClusterShape.of(Map.of("trainSteps", "10"))).isEmpty();
        assertThat(ClusterShape.of(Map.of("workers", "3"))).contains(new ClusterShape(3, 1));
        assertThat(ClusterShape.of(Map.of("workers", "0"))).hasValueSatisfying(s -> assertThat(s.singleProcess()).isTrue());
        assertThat(ClusterShape.of(Map.of("ps", "2"))).contains(new ClusterShape(0, 2));
        assertThat(ClusterShape.of(Map.of("workers", "2", "ps", "0"))).contains(new ClusterShape(2, 0));
        assertThatThrownBy(() -> mnist.parameters(Map.of("workers", "2", "ps", "0")))
                .hasMessageStartingWith("parameter ps=0 with workers=2: the built-in trainers do parameter-server"
                        + " training");
        assertThatThrownBy(() -> mnist.overrides(Map.of("workers", "2", "ps", "0")))
                .as("refused when the run is asked for, not when it starts").hasMessageStartingWith("parameter ps=0");
    }

    @Test
    void theKubeflowExamplesParametersMapToCaravansOwn() {
        PipelineDefinition mnist = catalogOf(Path.of("config/pipelines")).resolve("mnist");

        assertThat(mnist.parameters(Map.of("tf-worker", "3", "model-train-steps", "200")))
                .containsEntry("workers", "3").containsEntry("trainSteps", "200")
                .doesNotContainKeys("tf-worker", "model-train-steps");
        assertThat(mnist.overrides(Map.of("tf-worker", "3", "model-train-steps", "600")))
                .containsExactlyEntriesOf(Map.of("workers", "3"));
        assertThat(mnist.overrides(Map.of("tf-worker", "2"))).isEqualTo(mnist.overrides(Map.of("workers", "2")));
        assertThat(mnist.parameter("model-train-steps", "2e2")).isEqualTo("200");
        assertThatThrownBy(() -> mnist.parameter("tf-worker", "40"))
                .hasMessageContaining("parameter workers=40 is out of range");
        assertThatThrownBy(() -> mnist.parameters(Map.of("tf-worker", "3", "workers", "2")))
                .hasMessageContaining("parameter workers is given twice").hasMessageContaining("give it once");
        assertThat(mnist.parameters(Map.of("tf-worker", "3", "workers", "3"))).containsEntry("workers", "3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            s3-data-url       | s3://tfmnist/data/mnist/ (frozen as a snapshot | source.bucket and source.prefix in pipeline 'mnist'
            s3-train-base-url | caravan.training-prefix (CARAVAN_TRAINING_PREFIX)  | caravan.models-prefix (CARAVAN_MODELS_PREFIX)
            job-name          | are named mnist-<10 hex digits of a hash           | leave it out
            tf-model-image    | caravan.kubernetes.training.image (CARAVAN_TRAINER_IMAGE) | caravan.kubernetes.training.gpu-image
            s3-endpoint       | caravan.s3.endpoint (CARAVAN_S3_ENDPOINT                | caravan.kubernetes.s3.endpoint
            aws-endpoint-url  | caravan.s3.endpoint (CARAVAN_S3_ENDPOINT                | caravan.kubernetes.s3.endpoint
            aws-region        | caravan.s3.region (CARAVAN_S3_REGION)                    | region
            s3-use-https      | S3_USE_HTTPS and S3_VERIFY_SSL from the scheme           | https://
            s3-verify-ssl     | S3_USE_HTTPS and S3_VERIFY_SSL from the scheme           | https://
            namespace         | caravan.kubernetes.namespace (CARAVAN_K8S_NAMESPACE)     | runs create their objects
            """)
    void theKubeflowExamplesOtherParametersAreRefusedNamingTheSettingToUse(String parameter, String setting,
                                                                          String more) {
        PipelineDefinition mnist = catalogOf(Path.of("config/pipelines")).resolve("mnist");

        assertThatThrownBy(() -> mnist.parameters(Map.of(parameter, "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("parameter " + parameter + " of the Kubeflow example is a setting in Caravan,"
                        + " not a run parameter: ")
                .hasMessageContaining(setting).hasMessageContaining(more);
    }

    @Test
    void theExamplesImageOfAPipelinesOwnTrainerIsItsTrainerImage() throws IOException {
        write("fashion.yaml", FASHION);

        assertThatThrownBy(() -> catalogOf(dir).resolve("fashion").parameter("tf-model-image", "x"))
                .hasMessageContaining("this pipeline's trainer runs in its trainer.image; change it in pipeline 'fashion'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            PyTorchJob | 0 | kind=PyTorchJob runs only a trainer of your own (trainer.image and trainer.command): the training operator gives a PyTorchJob's replicas MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK, which the built-in trainer mnist-cnn does not read (it speaks TF_CONFIG)
            MPIJob     | 0 | kind=MPIJob runs only a trainer of your own (trainer.image and trainer.command): an MPIJob's Launcher must start the ranks on its Workers with mpirun
            TFJob      | 1 | gpu=1 asks for GPUs, but the built-in trainer would run in the CPU image registry.example/caravan:2 (caravan.kubernetes.training.image)
            """)
    void onKubernetesABuiltinTrainerIsRefusedWhereItCannotRun(String kind, int gpu, String reason) throws IOException {
        write("mnist.yaml", merge(""));
        write("fashion.yaml", FASHION);
        Map<String, Object> settings = Map.of("caravan.kubernetes.training.kind", kind,
                "caravan.kubernetes.training.gpu", gpu, "caravan.kubernetes.training.image", "registry.example/caravan:2",
                "caravan.kubernetes.training.gpu-image", "registry.example/caravan:2");

        assertThatThrownBy(() -> new PipelineCatalog(kubernetes(settings)))
                .hasMessageContaining(dir.resolve("mnist.yaml") + ": trainer.builtin: caravan.kubernetes.training."
                        + reason)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("fashion.yaml"));
    }

    @Test
    void onKubernetesABuiltinTrainerOnGpusRunsInTheGpuImageAndAPipelinesOwnTrainerInAnyKind() throws IOException {
        write("fashion.yaml", FASHION);
        PipelineCatalog pytorch = new PipelineCatalog(kubernetes(Map.of("caravan.kubernetes.training.kind", "PyTorchJob",
                "caravan.kubernetes.training.gpu", "1")));
        assertThat(pytorch.resolve("fashion").trainer().imageName()).contains("registry.example/fashion-trainer:1");

        write("mnist.yaml", merge(""));
        Files.delete(dir.resolve("fashion.yaml"));
        StandardEnvironment gpus = kubernetes(Map.of("caravan.kubernetes.training.gpu", "1",
                "caravan.kubernetes.training.image", "registry.example/caravan:2",
                "caravan.kubernetes.training.gpu-image", "registry.example/caravan:2-gpu"));
        assertThat(new PipelineCatalog(gpus).resolve("mnist").trainer().builtin()).isEqualTo("mnist-cnn");
        assertThat(KubernetesTrainer.of(gpus).builtinImage()).isEqualTo("registry.example/caravan:2-gpu");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            an unknown key            | trainer:\\n  builtin: mnist-cnn\\n  epochz: 3                 | unknown key 'trainer.epochz'
            a missing bucket          | source:\\n  prefix: data/x/                                   | source.bucket: missing
            an unknown trainer        | trainer:\\n  builtin: mnist-rnn                               | trainer.builtin: 'mnist-rnn' is not a built-in trainer
            an unknown validation     | validation:\\n  builtin: csv                                 | validation.builtin: 'csv' is not a built-in validation
            an unknown evaluation     | evaluation:\\n  builtin: f1                                  | evaluation.builtin: 'f1' is not a built-in evaluation
            a metric not produced     | gate:\\n  metric: f1\\n  min: 0.8                            | gate.metric: 'f1' is not produced by evaluation.builtin mnist-idx
            a missing gate minimum    | gate:\\n  metric: accuracy                                   | gate.min: missing
            a prefix without slash    | source:\\n  bucket: tfmnist\\n  prefix: data/x               | source.prefix: 'data/x' must end with '/'
            a bad duration            | source:\\n  bucket: tfmnist\\n  prefix: d/\\n  quietPeriod: soon | key 'source.quiet-period': 'soon' cannot be read
            a trainer and a command   | trainer:\\n  builtin: mnist-cnn\\n  command: [x]               | trainer: give either builtin
            a bad built-in parameter  | trainer:\\n  builtin: mnist-cnn\\n  parameters: {trainSteps: 0} | trainer.parameters.trainSteps: parameter trainSteps=0 is out of range
            """)
    void aBadDefinitionIsRefusedNamingTheFileTheKeyAndTheReason(String what, String override, String reason)
            throws IOException {
        write("broken.yaml", merge(override.replace("\\n", "\n")));

        assertThatThrownBy(() -> catalogOf(dir)).isInstanceOf(PipelineDefinitionException.class)
                .hasMessageContaining(dir.resolve("broken.yaml").toString())
                .hasMessageContaining(reason);
    }

    @Test
    void twoPipelinesOnOverlappingPrefixesAreRefused() throws IOException {
        write("a.yaml", merge("source:\n  bucket: tfmnist\n  prefix: data/\nmodel: a\n"));
        write("b.yaml", merge("source:\n  bucket: tfmnist\n  prefix: data/b/\nmodel: b\n"));

        assertThatThrownBy(() -> catalogOf(dir)).hasMessageContaining(dir.resolve("b.yaml") + ": source.prefix: "
                + "s3://tfmnist/data/b/ overlaps pipeline 'a''s s3://tfmnist/data/");
    }

    @Test
    void onKubernetesATrainerOfTheUsersNeedsAnImage() throws IOException {
        write("fashion.yaml", FASHION.replace("  image: registry.example/fashion-trainer:1\n", ""));
        StandardEnvironment environment = environmentFor(dir);
        environment.setActiveProfiles("kubernetes");
        new PipelineFiles().postProcessEnvironment(environment, null);

        assertThatThrownBy(() -> new PipelineCatalog(environment))
                .hasMessageContaining("fashion.yaml: trainer.image: missing; on the kubernetes runtime");
        assertThat(catalogOf(dir).resolve("fashion").trainer().imageName()).isEmpty();
    }

    @Test
    void twoPipelinesServingOneModelAreRefused() throws IOException {
        write("a.yaml", merge("source:\n  bucket: tfmnist\n  prefix: data/a/\nmodel: same\n"));
        write("b.yaml", merge("source:\n  bucket: tfmnist\n  prefix: data/b/\nmodel: same\n"));

        assertThatThrownBy(() -> catalogOf(dir)).hasMessageContaining("model: 'same' is already the model of pipeline 'a'");
    }

    @Test
    void filesThatAreNotPipelinesAreRefused() throws IOException {
        write("Bad_Name.yaml", merge(""));
        assertThatThrownBy(() -> catalogOf(dir)).hasMessageContaining("'Bad_Name' cannot name a pipeline");

        Files.delete(dir.resolve("Bad_Name.yaml"));
        write("x.yaml", "model: [unclosed\n");
        assertThatThrownBy(() -> catalogOf(dir)).hasMessageContaining(dir.resolve("x.yaml") + ": not valid YAML");

        Files.delete(dir.resolve("x.yaml"));
        assertThatThrownBy(() -> catalogOf(dir)).hasMessageContaining("no pipeline is defined: add a file to " + dir);
    }

    @Test
    void aSettingOverridesTheFileAndPlaceholdersResolve() throws IOException {
        write("mnist.yaml", merge("trainer:\n  builtin: mnist-cnn\n  parameters: {trainSteps: \"${STEPS:1000}\"}\n"));
        StandardEnvironment environment = environmentFor(dir);
        environment.getPropertySources().addFirst(new MapPropertySource("command line",
                Map.of("caravan.pipelines.mnist.gate.min", "0.5", "STEPS", "40")));
        new PipelineFiles().postProcessEnvironment(environment, null);

        PipelineDefinition mnist = new PipelineCatalog(environment).resolve("mnist");

        assertThat(mnist.gate().min()).isEqualTo(0.5);
        assertThat(mnist.trainer().parameters()).containsEntry("trainSteps", "40");
    }

    /** A valid single-pipeline file with {@code override}'s top-level keys in place of its own. */
    private static String merge(String override) {
        Map<String, String> sections = new java.util.LinkedHashMap<>();
        sections.put("model", "model: mnist\n");
        sections.put("source", "source:\n  bucket: tfmnist\n  prefix: data/mnist/\n");
        sections.put("trainer", "trainer:\n  builtin: mnist-cnn\n");
        sections.put("gate", "gate:\n  min: 0.9\n");
        String current = null;
        StringBuilder block = new StringBuilder();
        for (String line : (override + "\n").split("\n", -1)) {
            if (!line.startsWith(" ") && !line.isEmpty()) {
                if (current != null) {
                    sections.put(current, block.toString());
                }
                current = line.split(":", 2)[0];
                block = new StringBuilder();
            }
            if (!line.isEmpty()) {
                block.append(line).append('\n');
            }
        }
        if (current != null) {
            sections.put(current, block.toString());
        }
        return String.join("", sections.values());
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    private static PipelineCatalog catalogOf(Path pipelinesDir) {
        StandardEnvironment environment = environmentFor(pipelinesDir);
        new PipelineFiles().postProcessEnvironment(environment, null);
        return new PipelineCatalog(environment);
    }

    /** The environment of a Caravan on the kubernetes runtime with these settings, reading this test's folder. */
    private StandardEnvironment kubernetes(Map<String, Object> settings) {
        StandardEnvironment environment = environmentFor(dir);
        environment.getPropertySources().addFirst(new MapPropertySource("settings", settings));
        environment.setActiveProfiles("kubernetes");
        new PipelineFiles().postProcessEnvironment(environment, null);
        return environment;
    }

    private static StandardEnvironment environmentFor(Path pipelinesDir) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("dir",
                Map.of(PipelineFiles.DIR_PROPERTY, pipelinesDir.toAbsolutePath().toString())));
        return environment;
    }
}
