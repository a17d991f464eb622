package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.google.protobuf.Int64Value;
import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.GetModelMetadataRequest;
import dev.caravan.serving.api.GetModelMetadataResponse;
import dev.caravan.serving.api.GetModelStatusRequest;
import dev.caravan.serving.api.ModelServiceGrpc;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.ModelVersionStatus;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.PredictionServiceGrpc;
import dev.caravan.serving.api.SignatureDef;
import dev.caravan.serving.api.SignatureDefMap;
import dev.caravan.serving.api.TensorProto;
import dev.caravan.serving.testutil.MnistData;
import dev.caravan.serving.testutil.TestServer;
import dev.caravan.serving.testutil.Tensors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC API as a TensorFlow Serving client sees it. */
class GrpcPredictionTest {

    @TempDir
    static Path work;
    static TestServer server;
    static PredictionServiceGrpc.PredictionServiceBlockingStub predictions;
    static MnistData.Digits digits = MnistData.test(8);

    @BeforeAll
    static void start() {
        server = TestServer.start(work);
        predictions = PredictionServiceGrpc.newBlockingStub(server.channel());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void predictsDigitsSentAsFloatVal() {
        for (int i = 0; i < digits.size(); i++) {
            PredictResponse response = predictions.predict(request(Tensors.floatVal(digits.images()[i], 1, 28, 28)));

            assertThat(Tensors.uint8s(response.getOutputsOrThrow("classes"))).containsExactly(digits.labels()[i]);
            assertThat(Tensors.floats(response.getOutputsOrThrow("predictions"))).hasSize(10);
            assertThat(response.getModelSpec().getVersion().getValue()).isEqualTo(1);
            assertThat(response.getModelSpec().getSignatureName()).isEqualTo("serving_default");
        }
    }

    @Test
    void predictsABatchSentAsTensorContent() {
        float[] batch = new float[digits.size() * 784];
        for (int i = 0; i < digits.size(); i++) {
            System.arraycopy(digits.images()[i], 0, batch, i * 784, 784);
        }

        PredictResponse response = predictions.predict(request(Tensors.tensorContent(batch, digits.size(), 28, 28)));

        assertThat(Tensors.uint8s(response.getOutputsOrThrow("classes"))).containsExactly(digits.labels());
        TensorProto probabilities = response.getOutputsOrThrow("predictions");
        assertThat(probabilities.getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(probabilities.getTensorShape()).isEqualTo(Tensors.shape(digits.size(), 10));
        float[] first = Arrays.copyOf(Tensors.floats(probabilities), 10);
        assertThat(first[digits.labels()[0]]).isGreaterThan(0.5f);
    }

    @Test
    void answersConcurrentClientsEachWithTheirOwnDigit() throws Exception {
        // given each image's class when asked alone (the test model misreads some; this is about whose answer is whose)
        MnistData.Digits many = MnistData.test(64);
        int[] alone = new int[many.size()];
        for (int i = 0; i < many.size(); i++) {
            alone[i] = classOf(many.images()[i]);
        }

        // when 8 clients ask at once, so that the server stacks their requests into shared runs
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < many.size(); i++) {
                float[] image = many.images()[i];
                answers.add(clients.submit(() -> classOf(image)));
            }

            // then every client gets the answer for its own image
            for (int i = 0; i < many.size(); i++) {
                assertThat(answers.get(i).get()).as("image %d", i).isEqualTo(alone[i]);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static int classOf(float[] image) {
        return Tensors.uint8s(predictions.predict(request(Tensors.floatVal(image, 1, 28, 28))).getOutputsOrThrow("classes"))[0];
    }

    @Test
    void returnsOnlyTheFilteredOutputs() {
        PredictResponse response = predictions.predict(request(Tensors.floatVal(digits.images()[0], 1, 28, 28))
                .toBuilder().addOutputFilter("classes").build());

        assertThat(response.getOutputsMap()).containsOnlyKeys("classes");
    }

    @Test
    void describesTheSignature() {
        GetModelMetadataResponse response = predictions.getModelMetadata(GetModelMetadataRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("mnist")).addMetadataField("signature_def").build());

        SignatureDef signature = unpack(response).getSignatureDefOrThrow("serving_default");
        assertThat(signature.getMethodName()).isEqualTo("tensorflow/serving/predict");
        assertThat(signature.getInputsOrThrow("x").getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(signature.getInputsOrThrow("x").getTensorShape()).isEqualTo(Tensors.shape(-1, 28, 28));
        assertThat(signature.getOutputsOrThrow("classes").getDtype()).isEqualTo(DataType.DT_UINT8);
        assertThat(signature.getOutputsOrThrow("predictions").getTensorShape()).isEqualTo(Tensors.shape(-1, 10));
        assertThat(response.getModelSpec().getVersion().getValue()).isEqualTo(1);
    }

    @Test
    void reportsTheVersionAvailable() {
        var status = ModelServiceGrpc.newBlockingStub(server.channel()).getModelStatus(GetModelStatusRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("mnist")).build());

        assertThat(status.getModelVersionStatusList()).singleElement().satisfies(version -> {
            assertThat(version.getVersion()).isEqualTo(1);
            assertThat(version.getState()).isEqualTo(ModelVersionStatus.State.AVAILABLE);
        });
    }

    @Test
    void refusesAnUnknownModel() {
        PredictRequest request = request(Tensors.floatVal(digits.images()[0], 1, 28, 28)).toBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("fashion")).build();

        assertRefused(request, Status.Code.NOT_FOUND, "Servable not found for request: Latest(fashion)");
    }

    @Test
    void refusesAVersionNotLoaded() {
        PredictRequest request = request(Tensors.floatVal(digits.images()[0], 1, 28, 28)).toBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("mnist").setVersion(Int64Value.of(7))).build();

        assertRefused(request, Status.Code.NOT_FOUND, "Servable not found for request: Specific(mnist, 7)");
    }

    @Test
    void refusesAnUnknownInputNamingTheExpectedOne() {
        PredictRequest request = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist"))
                .putInputs("x", Tensors.floatVal(digits.images()[0], 1, 28, 28))
                .putInputs("images", Tensors.floatVal(digits.images()[0], 1, 28, 28)).build();

        assertRefused(request, Status.Code.INVALID_ARGUMENT, "input 'images' is not in signature 'serving_default'",
                "x (DT_FLOAT [-1,28,28])");
    }

    @Test
    void refusesAWrongShapeNamingTheExpectedOne() {
        assertRefused(request(Tensors.floatVal(digits.images()[0], 1, 784)), Status.Code.INVALID_ARGUMENT,
                "input 'x' has shape [1,784]", "expects DT_FLOAT [-1,28,28]");
    }

    @Test
    void refusesAWrongDtype() {
        TensorProto doubles = Tensors.floatVal(digits.images()[0], 1, 28, 28).toBuilder().setDtype(DataType.DT_DOUBLE).build();

        assertRefused(request(doubles), Status.Code.INVALID_ARGUMENT, "input 'x' is DT_DOUBLE", "expects DT_FLOAT");
    }

    @Test
    void refusesValuesThatDoNotFillTheShape() {
        assertRefused(request(Tensors.floatVal(new float[700], 1, 28, 28)), Status.Code.INVALID_ARGUMENT,
                "784 values, but carries 700");
    }

    private static PredictRequest request(TensorProto image) {
        return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist"))
                .putInputs("x", image).build();
    }

    private static void assertRefused(PredictRequest request, Status.Code code, String... messageParts) {
        assertThatThrownBy(() -> predictions.predict(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).contains(messageParts);
                });
    }

    private static SignatureDefMap unpack(GetModelMetadataResponse response) {
        try {
            return response.getMetadataOrThrow("signature_def").unpack(SignatureDefMap.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
