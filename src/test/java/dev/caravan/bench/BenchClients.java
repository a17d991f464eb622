package dev.caravan.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.PredictionServiceGrpc;
import dev.caravan.serving.testutil.Tensors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;

/** The benchmark's clients: one batch-1 predict request for an MNIST digit, sent again and again. */
final class BenchClients {

    private BenchClients() {
    }

    /** Predictions kept in flight by the answers to the previous ones, over {@code connections} connections. */
    static LoadRun.Load grpcAsync(List<AutoCloseable> resources, ServingEndpoint endpoint, float[] digit, int connections) {
        PredictRequest request = request(digit);
        PredictionServiceGrpc.PredictionServiceStub[] stubs = new PredictionServiceGrpc.PredictionServiceStub[connections];
        for (int i = 0; i < connections; i++) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress(endpoint.host(), endpoint.grpcPort()).usePlaintext()
                    .directExecutor().build();
            resources.add(channel::shutdownNow);
            stubs[i] = PredictionServiceGrpc.newStub(channel);
        }
        return AsyncLoad.of((slot, done, failed) -> stubs[slot % connections].predict(request, new StreamObserver<>() {
            @Override
            public void onNext(PredictResponse response) {
            }

            @Override
            public void onError(Throwable e) {
                failed.accept(e);
            }

            @Override
            public void onCompleted() {
                done.run();
            }
        }));
    }

    /** Blocking stubs, each client thread with its own connection, as the REST clients have. */
    static LoadRun.Load grpcBlocking(List<AutoCloseable> resources, ServingEndpoint endpoint, float[] digit) {
        PredictRequest request = request(digit);
        Map<Integer, PredictionServiceGrpc.PredictionServiceBlockingStub> stubs = new ConcurrentHashMap<>();
        return LoadRun.threads(thread -> {
            PredictionServiceGrpc.PredictionServiceBlockingStub stub = stubs.computeIfAbsent(thread, t -> {
                ManagedChannel channel = ManagedChannelBuilder.forAddress(endpoint.host(), endpoint.grpcPort())
                        .usePlaintext().build();
                resources.add(channel::shutdownNow);
                return PredictionServiceGrpc.newBlockingStub(channel);
            });
            return () -> stub.predict(request);
        });
    }

    /**
     * The image as {@code tensor_content}, the raw bytes {@code tf.make_tensor_proto} makes of a NumPy array, as the
     * classic {@code mnist_client} sends it; {@code -Dcaravan.bench.floatVal=true} sends typed {@code float_val}.
     */
    private static PredictRequest request(float[] digit) {
        return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist"))
                .putInputs("x", Boolean.getBoolean("caravan.bench.floatVal") ? Tensors.floatVal(digit, 1, 28, 28)
                        : Tensors.tensorContent(digit, 1, 28, 28)).build();
    }

    /** One keep-alive connection per client thread, or with {@code jdkHttp} a shared java.net.http client. */
    static LoadRun.Load rest(List<AutoCloseable> resources, ServingEndpoint endpoint, float[] digit,
                             boolean jdkHttp) throws JsonProcessingException {
        byte[] body = instances(digit);
        String path = "/v1/models/mnist:predict";
        if (jdkHttp) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + endpoint.host() + ":" + endpoint.restPort()
                    + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            return LoadRun.threads(thread -> () -> {
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("HTTP " + response.statusCode() + ": "
                            + new String(response.body(), StandardCharsets.UTF_8));
                }
            });
        }
        // One connection per client thread, kept across rounds.
        Map<Integer, KeepAliveHttp> connections = new ConcurrentHashMap<>();
        resources.add(() -> {
            for (KeepAliveHttp http : connections.values()) {
                http.close();
            }
        });
        return LoadRun.threads(thread -> {
            KeepAliveHttp http = connections.get(thread);
            if (http == null) {
                http = new KeepAliveHttp(endpoint.host(), endpoint.restPort(), path, body);
                connections.put(thread, http);
            }
            return http::post;
        });
    }

    /** {"instances": [image]}, the image as 28 lists of 28 numbers. */
    private static byte[] instances(float[] digit) throws JsonProcessingException {
        float[][] rows = new float[28][];
        for (int row = 0; row < 28; row++) {
            rows[row] = Arrays.copyOfRange(digit, row * 28, row * 28 + 28);
        }
        return new ObjectMapper().writeValueAsBytes(Map.of("instances", List.of((Object) rows)));
    }
}
