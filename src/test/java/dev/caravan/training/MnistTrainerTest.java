package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.data.MnistData;
import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.MnistUploads;

/** The built-in trainers run in this JVM: exit status, the one line on stderr, and what a training leaves behind. */
class MnistTrainerTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void anInvalidVariableExitsWithTwoAndItsName() {
        Map<String, String> env = TrainerSettingsTest.minimal();
        env.put("TF_BATCH_SIZE", "ten");

        int status = run(env);

        assertThat(status).isEqualTo(MnistTrainer.EXIT_INVALID_ENVIRONMENT);
        assertThat(stderr()).startsWith("trainer: invalid environment: TF_BATCH_SIZE='ten' is not a whole number")
                .hasLineCount(1);
    }

    @Test
    void anUnknownBuiltinTrainerExitsWithTwoAndItsName() {
        Map<String, String> env = TrainerSettingsTest.minimal();
        env.put("CARAVAN_TRAINER", "mnist-resnet");

        int status = run(env);

        assertThat(status).isEqualTo(MnistTrainer.EXIT_INVALID_ENVIRONMENT);
        assertThat(stderr()).isEqualToIgnoringNewLines("trainer: invalid environment: CARAVAN_TRAINER='mnist-resnet' is"
                + " not a built-in trainer; set it to one of mnist-cnn, mnist-mlp, or unset it for mnist-cnn");
    }

    @Test
    void everyBuiltinTrainerAPipelineFileMayNameHasAModel() {
        assertThat(DigitModel.builtins()).extracting(DigitModel::name)
                .containsExactlyInAnyOrderElementsOf(PipelineDefinition.TRAINER_BUILTINS);
    }

    @Test
    void anUnreachableS3ExitsWithOneAndSaysWhatToCheck() {
        Map<String, String> env = TrainerSettingsTest.minimal();
        env.put("S3_ENDPOINT", "127.0.0.1:1");

        int status = run(env);

        assertThat(status).isEqualTo(MnistTrainer.EXIT_FAILED);
        assertThat(stderr()).startsWith("trainer: S3 at http://127.0.0.1:1 failed ListObjectsV2 s3://")
                .contains("attempts: no answer (").contains("S3_ENDPOINT and the AWS_* variables")
                .hasLineCount(1);
    }

    @Test
    void theMlpTrainsAndExportsTheServingSignatureWithItsMetrics(@TempDir Path dir) throws Exception {
        // given 2000 training and 500 test digits in S3
        MnistDataset test = MnistData.loadLocal(MnistUploads.DATA, MnistSplit.TEST).first(500);
        S3Location data = S3Location.parse("s3://tfmnist/data/small/");
        S3Location modelDir = S3Location.parse("s3://tfmnist/training/mlp/");
        S3Location exportDir = S3Location.parse("s3://tfmnist/models/mlp/1/");
        try (EmbeddedS3 s3 = EmbeddedS3.start(dir.resolve("s3"), "127.0.0.1", 0, "key", "secret");
                ObjectStore store = ObjectStore.connect(s3.settings())) {
            store.createBucketIfMissing("tfmnist");
            upload(store, data, MnistData.loadLocal(MnistUploads.DATA, MnistSplit.TRAIN).first(2000));
            upload(store, data, test);
            Map<String, String> env = new java.util.HashMap<>(s3.settings().toEnvironment());
            env.putAll(Map.of("CARAVAN_TRAINER", "mnist-mlp", "TF_DATA_DIR", data.uri(), "TF_MODEL_DIR", modelDir.uri(),
                    "TF_EXPORT_DIR", exportDir.uri(), "TF_TRAIN_STEPS", "200", "TF_BATCH_SIZE", "50"));

            // when
            int status = run(env);

            // then
            assertThat(status).as(stderr()).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("trainer: trained mnist-mlp for 200 steps")
                    .contains("CARAVAN_PROGRESS {\"step\":200,\"totalSteps\":200");
            assertThat(keysBelow(store, modelDir)).contains("checkpoint", "model.ckpt-200.index", "metrics.json")
                    .anyMatch(key -> key.startsWith("events.out.tfevents."));
            JsonNode metrics = new ObjectMapper().readTree(store.read(modelDir.resolve("metrics.json"))).path("metrics");
            assertThat(metrics).extracting(m -> m.path("name").asText()).containsExactly("accuracy", "loss");
            Path export = dir.resolve("export");
            store.downloadDirectory(exportDir, export);
            try (SavedModelBundle model = SavedModelBundle.load(export.toString(), "serve")) {
                assertHasTheServingSignature(model.metaGraphDef().getSignatureDefOrThrow("serving_default"));
                double accuracy = accuracy(model, test);
                assertThat(accuracy).isGreaterThan(0.8)
                        .isCloseTo(metrics.get(0).path("numberValue").asDouble(), org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    private static void assertHasTheServingSignature(SignatureDef signature) {
        assertThat(signature.getMethodName()).isEqualTo("tensorflow/serving/predict");
        assertThat(signature.getInputsMap()).containsOnlyKeys("x");
        assertThat(signature.getOutputsMap()).containsOnlyKeys("classes", "predictions");
        assertTensor(signature.getInputsOrThrow("x"), DataType.DT_FLOAT, -1, 28, 28);
        assertTensor(signature.getOutputsOrThrow("classes"), DataType.DT_UINT8, -1);
        assertTensor(signature.getOutputsOrThrow("predictions"), DataType.DT_FLOAT, -1, 10);
    }

    private static void assertTensor(TensorInfo tensor, DataType type, long... dims) {
        assertThat(tensor.getDtype()).isEqualTo(type);
        assertThat(tensor.getTensorShape().getDimList()).extracting(d -> d.getSize())
                .containsExactly(java.util.Arrays.stream(dims).boxed().toArray(Long[]::new));
    }

    /** The share of {@code test} the model classifies right, through its serving signature. */
    private static double accuracy(SavedModelBundle model, MnistDataset test) {
        float[] pixels = new float[test.count() * test.imageSize()];
        for (int i = 0; i < test.count(); i++) {
            test.copyPixels(i, pixels, i * test.imageSize());
        }
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(test.count(), 28, 28), DataBuffers.of(pixels));
                Result result = model.function("serving_default").call(Map.of("x", x))) {
            TUint8 classes = (TUint8) result.get("classes").orElseThrow();
            int correct = 0;
            for (int i = 0; i < test.count(); i++) {
                correct += classes.getByte(i) == test.label(i) ? 1 : 0;
            }
            return (double) correct / test.count();
        }
    }

    /** Writes {@code dataset} as the two gzipped IDX files of its split under {@code prefix}. */
    static void upload(ObjectStore store, S3Location prefix, MnistDataset dataset) {
        ByteBuffer images = ByteBuffer.allocate(16 + dataset.pixels().length).putInt(0x803).putInt(dataset.count())
                .putInt(dataset.rows()).putInt(dataset.cols()).put(dataset.pixels());
        ByteBuffer labels = ByteBuffer.allocate(8 + dataset.count()).putInt(0x801).putInt(dataset.count())
                .put(dataset.labels());
        store.put(prefix.resolve(dataset.split().imagesName() + ".gz"), MnistUploads.gzip(images.array()));
        store.put(prefix.resolve(dataset.split().labelsName() + ".gz"), MnistUploads.gzip(labels.array()));
    }

    private static List<String> keysBelow(ObjectStore store, S3Location prefix) {
        return store.list(prefix).stream().map(o -> o.key().substring(prefix.key().length())).toList();
    }

    private int run(Map<String, String> env) {
        return MnistTrainer.run(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
