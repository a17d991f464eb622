package dev.caravan.bench.faults;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.bench.KeepAliveHttp;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.PredictionServiceGrpc;
import dev.caravan.serving.api.TensorProto;
import dev.caravan.serving.testutil.Tensors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/**
 * One client's batch-1 predict request for an MNIST digit, as a TensorFlow Serving client sends it, with the check
 * that its answer has the MNIST signature's shape: {@code classes} one digit 0..9, {@code predictions} 10 floats.
 */
interface PredictCall extends AutoCloseable {

    /** Predicts once; returns the version that answered (0 when the API does not say), or throws what went wrong. */
    long predict() throws Exception;

    @Override
    void close();

    /** A blocking stub on a connection of its own, with a deadline so a hung request counts as failed. */
    static PredictCall grpc(ServingEndpoint endpoint, String model, float[] digit) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(endpoint.host(), endpoint.grpcPort()).usePlaintext()
                .build();
        PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(channel);
        PredictRequest request = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(model))
                .putInputs("x", Tensors.tensorContent(digit, 1, 28, 28)).build();
        return new PredictCall() {
            @Override
            public long predict() {
                PredictResponse response = stub.withDeadlineAfter(10, TimeUnit.SECONDS).predict(request);
                check(response.getOutputsMap());
                return response.getModelSpec().getVersion().getValue();
            }

            @Override
            public void close() {
                channel.shutdownNow();
            }
        };
    }

    /**
     * {@code POST /v1/models/<model>:predict} on a keep-alive connection; a connection that failed is replaced by a
     * new one for the next request, as an HTTP client's pool does.
     */
    static PredictCall rest(ServingEndpoint endpoint, String model, float[] digit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        float[][] rows = new float[28][];
        for (int row = 0; row < 28; row++) {
            rows[row] = Arrays.copyOfRange(digit, row * 28, row * 28 + 28);
        }
        byte[] body = json.writeValueAsBytes(Map.of("instances", List.of((Object) rows)));
        String path = "/v1/models/" + model + ":predict";
        return new PredictCall() {
            private KeepAliveHttp http;

            @Override
            public long predict() throws IOException {
                if (http == null) {
                    http = new KeepAliveHttp(endpoint.host(), endpoint.restPort(), path, body);
                }
                byte[] answer;
                try {
                    answer = http.post();
                } catch (IOException e) {
                    close();
                    throw e;
                }
                check(json.readTree(answer));
                return 0;
            }

            @Override
            public void close() {
                try {
                    if (http != null) {
                        http.close();
                    }
                } catch (IOException e) {
                    // The connection is dropped either way; the next request opens a new one.
                } finally {
                    http = null;
                }
            }
        };
    }

    private static void check(Map<String, TensorProto> outputs) {
        TensorProto classes = outputs.get("classes");
        TensorProto predictions = outputs.get("predictions");
        if (classes == null || predictions == null || Tensors.uint8s(classes).length != 1
                || Tensors.uint8s(classes)[0] > 9 || Tensors.floats(predictions).length != 10) {
            throw new IllegalStateException("not one digit's answer: " + outputs);
        }
    }

    // Row format with two outputs: {"predictions": [{"classes": 7, "predictions": [10 probabilities]}]}.
    private static void check(JsonNode answer) {
        JsonNode rows = answer.path("predictions");
        JsonNode row = rows.path(0);
        if (rows.size() != 1 || !row.path("classes").canConvertToInt() || row.path("classes").asInt() > 9
                || row.path("predictions").size() != 10) {
            throw new IllegalStateException("not one digit's answer: " + answer);
        }
    }
}
