package dev.caravan.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.caravan.serving.LocalServingBackend;
import dev.caravan.serving.ModelServerSettings;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictionServiceGrpc;
import dev.caravan.serving.testutil.TestModels;
import dev.caravan.serving.testutil.Tensors;
import dev.caravan.smoketest.SampleDigits;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/**
 * Measures Caravan's model server against calling TensorFlow in-process: batch-1 MNIST predictions from concurrent
 * clients (8 by default), in-process, over gRPC and over REST, on free loopback ports, with the server's batching
 * on (its default) and off. Not a test: run {@code bench/serving.sh [SAVED_MODEL_DIR] [--seconds N]
 * [--concurrency N] [--jdk-http]}. Without a folder it exports an untrained CNN with the trainer's layers, whose
 * calls cost what a real model's do.
 */
public final class ServingBench {

    private static final double GRPC_TARGET = 0.60;
    private static final double REST_TARGET = 0.40;

    private ServingBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Path model = options.model != null ? options.model
                : TestModels.exportCnn(Files.createTempDirectory("caravan-bench").resolve("1"));
        float[] digit = SampleDigits.load().get(0).pixels();
        Duration warmUp = Duration.ofSeconds(Math.max(2, options.seconds / 3));
        Duration measured = Duration.ofSeconds(options.seconds);
        System.out.printf("model %s%n%d clients, batch-1 requests, %d s measured after %d s warm-up, %d cores, REST "
                        + "client: %s%n%n",
                options.model != null ? model : "untrained CNN conv16-pool-conv32-pool-dense128-dense10 (" + model + ")",
                options.concurrency, options.seconds, warmUp.toSeconds(), Runtime.getRuntime().availableProcessors(),
                options.jdkHttp ? "java.net.http" : "keep-alive sockets");

        LoadRun.Result inProcess;
        try (InProcessModel tensorflow = InProcessModel.load(model)) {
            inProcess = print(LoadRun.measure("in-process SavedModel", options.concurrency, warmUp, measured,
                    thread -> () -> tensorflow.predict(digit)));
        }
        List<LoadRun.Result> batched = server(model, digit, options, warmUp, measured, "", ModelServerSettings.anyFreePorts());
        List<LoadRun.Result> alone = server(model, digit, options, warmUp, measured, ", no batching",
                ModelServerSettings.anyFreePorts().withMaxBatchRows(1));

        System.out.println();
        ratio("gRPC", batched.get(0), inProcess, GRPC_TARGET, "");
        ratio("REST", batched.get(1), inProcess, REST_TARGET, "");
        ratio("gRPC", alone.get(0), inProcess, GRPC_TARGET, ", no batching");
        ratio("REST", alone.get(1), inProcess, REST_TARGET, ", no batching");
    }

    private static List<LoadRun.Result> server(Path model, float[] digit, Options options, Duration warmUp,
                                               Duration measured, String label, ModelServerSettings settings)
            throws Exception {
        try (LocalServingBackend server = new LocalServingBackend(settings)) {
            server.start();
            server.serveDirectory("mnist", 1, model);
            ServingEndpoint endpoint = server.endpoint();
            return List.of(print(grpc(endpoint, digit, options, warmUp, measured, label)),
                    print(rest(endpoint, digit, options, warmUp, measured, label)));
        }
    }

    private static LoadRun.Result grpc(ServingEndpoint endpoint, float[] digit, Options options, Duration warmUp,
                                       Duration measured, String label) throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(endpoint.host(), endpoint.grpcPort()).usePlaintext().build();
        try {
            PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(channel);
            PredictRequest request = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist"))
                    .putInputs("x", Tensors.floatVal(digit, 1, 28, 28)).build();
            return LoadRun.measure("gRPC Predict" + label, options.concurrency, warmUp, measured,
                    thread -> () -> stub.predict(request));
        } finally {
            channel.shutdownNow();
        }
    }

    private static LoadRun.Result rest(ServingEndpoint endpoint, float[] digit, Options options, Duration warmUp,
                                       Duration measured, String label) throws Exception {
        byte[] body = instances(digit).getBytes(StandardCharsets.UTF_8);
        String path = "/v1/models/mnist:predict";
        if (options.jdkHttp) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + endpoint.host() + ":" + endpoint.restPort()
                    + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            return LoadRun.measure("REST predict" + label, options.concurrency, warmUp, measured, thread -> () -> {
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("HTTP " + response.statusCode() + ": "
                            + new String(response.body(), StandardCharsets.UTF_8));
                }
            });
        }
        List<KeepAliveHttp> connections = new ArrayList<>();
        try {
            return LoadRun.measure("REST predict" + label, options.concurrency, warmUp, measured, thread -> {
                KeepAliveHttp http = new KeepAliveHttp(endpoint.host(), endpoint.restPort(), path, body);
                synchronized (connections) {
                    connections.add(http);
                }
                return http::post;
            });
        } finally {
            for (KeepAliveHttp http : connections) {
                http.close();
            }
        }
    }

    /** {"instances": [image]}, the image as 28 lists of 28 numbers. */
    private static String instances(float[] digit) {
        StringBuilder json = new StringBuilder("{\"instances\": [[");
        for (int row = 0; row < 28; row++) {
            json.append(row == 0 ? "[" : ", [");
            for (int column = 0; column < 28; column++) {
                json.append(column == 0 ? "" : ", ").append(digit[row * 28 + column]);
            }
            json.append(']');
        }
        return json.append("]]}").toString();
    }

    private static LoadRun.Result print(LoadRun.Result result) {
        System.out.println(result);
        return result;
    }

    private static void ratio(String api, LoadRun.Result served, LoadRun.Result inProcess, double target, String label) {
        double ratio = served.perSecond() / inProcess.perSecond();
        System.out.printf("%s / in-process%-14s %6.1f %%  (target >= %.0f %%: %s)%n", api, label, ratio * 100,
                target * 100, ratio >= target ? "met" : "MISSED");
    }

    /** Command line: {@code [SAVED_MODEL_DIR] [--seconds N] [--concurrency N] [--jdk-http]}. */
    private record Options(Path model, int seconds, int concurrency, boolean jdkHttp) {

        static Options parse(String[] args) {
            Path model = null;
            int seconds = 10;
            int concurrency = 8;
            boolean jdkHttp = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                    case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                    case "--jdk-http" -> jdkHttp = true;
                    default -> model = Path.of(args[i]);
                }
            }
            if (model != null && !Files.isRegularFile(model.resolve("saved_model.pb"))) {
                throw new IllegalArgumentException(model + " holds no saved_model.pb; give the folder of one exported version");
            }
            return new Options(model, seconds, concurrency, jdkHttp);
        }
    }
}
