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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 * [--concurrency N] [--prediction-threads N] [--jdk-http]}. Without a folder it exports an untrained CNN with the trainer's layers, whose
 * calls cost what a real model's do.
 */
public final class ServingBench {

    private static final double GRPC_TARGET = 0.60;
    private static final double REST_TARGET = 0.40;
    private static final int ROUNDS = 5;

    private ServingBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Path model = options.model != null ? options.model
                : TestModels.exportCnn(Files.createTempDirectory("caravan-bench").resolve("1"));
        float[] digit = SampleDigits.load().get(0).pixels();
        Duration warmUp = Duration.ofSeconds(Math.max(2, options.seconds / 3));
        System.out.printf("model %s%n%d clients, batch-1 requests, %d s measured per line in %d interleaved rounds "
                        + "after 2 rounds of %d s warm-up, %d cores, REST client: %s%n%n",
                options.model != null ? model : "untrained CNN conv16-pool-conv32-pool-dense128-dense10 (" + model + ")",
                options.concurrency, options.seconds, ROUNDS, warmUp.toSeconds(), Runtime.getRuntime().availableProcessors(),
                options.jdkHttp ? "java.net.http" : "keep-alive sockets");

        List<AutoCloseable> resources = new ArrayList<>();
        try {
            InProcessModel tensorflow = keep(resources, InProcessModel.load(model));
            ModelServerSettings settings = options.predictionThreads > 0
                    ? ModelServerSettings.anyFreePorts().withPredictionThreads(options.predictionThreads)
                    : ModelServerSettings.anyFreePorts();
            ServingEndpoint batched = start(resources, model, settings);
            ServingEndpoint alone = start(resources, model, settings.withMaxBatchRows(1));
            Map<String, LoadRun.CallFactory> phases = new LinkedHashMap<>();
            phases.put("in-process SavedModel", thread -> () -> tensorflow.predict(digit));
            phases.put("gRPC Predict", grpc(resources, batched, digit));
            phases.put("REST predict", rest(resources, batched, digit, options.jdkHttp));
            phases.put("gRPC Predict, no batching", grpc(resources, alone, digit));
            phases.put("REST predict, no batching", rest(resources, alone, digit, options.jdkHttp));
            Map<String, LoadRun.Result> results = measure(phases, options, warmUp);
            results.values().forEach(System.out::println);

            LoadRun.Result base = results.get("in-process SavedModel");
            System.out.println();
            ratio("gRPC", results.get("gRPC Predict"), base, GRPC_TARGET, "");
            ratio("REST", results.get("REST predict"), base, REST_TARGET, "");
            ratio("gRPC", results.get("gRPC Predict, no batching"), base, GRPC_TARGET, ", no batching");
            ratio("REST", results.get("REST predict, no batching"), base, REST_TARGET, ", no batching");
        } finally {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
        }
    }

    // Other work on the machine comes and goes; measuring every line in several short rounds exposes them alike.
    // Warming up takes two rounds: on a busy machine the JIT compiler needs many seconds to settle.
    private static Map<String, LoadRun.Result> measure(Map<String, LoadRun.CallFactory> phases, Options options,
                                                       Duration warmUp) throws Exception {
        for (int round = 0; round < 2; round++) {
            for (LoadRun.CallFactory phase : phases.values()) {
                LoadRun.warmUp(options.concurrency, warmUp, phase);
            }
        }
        Duration slice = Duration.ofMillis(options.seconds * 1000L / ROUNDS);
        Map<String, LoadRun.Result> results = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (Map.Entry<String, LoadRun.CallFactory> phase : phases.entrySet()) {
                LoadRun.Result result = LoadRun.measure(phase.getKey(), options.concurrency, slice, phase.getValue());
                results.merge(phase.getKey(), result, LoadRun.Result::plus);
            }
        }
        return results;
    }

    private static ServingEndpoint start(List<AutoCloseable> resources, Path model, ModelServerSettings settings) {
        LocalServingBackend server = keep(resources, new LocalServingBackend(settings));
        server.start();
        server.serveDirectory("mnist", 1, model);
        return server.endpoint();
    }

    // Each client has its own connection, as the REST clients do.
    private static LoadRun.CallFactory grpc(List<AutoCloseable> resources, ServingEndpoint endpoint, float[] digit) {
        PredictRequest request = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist"))
                .putInputs("x", Tensors.floatVal(digit, 1, 28, 28)).build();
        Map<Integer, PredictionServiceGrpc.PredictionServiceBlockingStub> stubs = new ConcurrentHashMap<>();
        return thread -> {
            PredictionServiceGrpc.PredictionServiceBlockingStub stub = stubs.computeIfAbsent(thread, t -> {
                ManagedChannel channel = ManagedChannelBuilder.forAddress(endpoint.host(), endpoint.grpcPort())
                        .usePlaintext().build();
                synchronized (resources) {
                    resources.add(channel::shutdownNow);
                }
                return PredictionServiceGrpc.newBlockingStub(channel);
            });
            return () -> stub.predict(request);
        };
    }

    private static LoadRun.CallFactory rest(List<AutoCloseable> resources, ServingEndpoint endpoint, float[] digit,
                                            boolean jdkHttp) {
        byte[] body = instances(digit).getBytes(StandardCharsets.UTF_8);
        String path = "/v1/models/mnist:predict";
        if (jdkHttp) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + endpoint.host() + ":" + endpoint.restPort()
                    + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            return thread -> () -> {
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("HTTP " + response.statusCode() + ": "
                            + new String(response.body(), StandardCharsets.UTF_8));
                }
            };
        }
        // One connection per client thread, kept across rounds.
        Map<Integer, KeepAliveHttp> connections = new ConcurrentHashMap<>();
        resources.add(() -> {
            for (KeepAliveHttp http : connections.values()) {
                http.close();
            }
        });
        return thread -> {
            KeepAliveHttp http = connections.get(thread);
            if (http == null) {
                http = new KeepAliveHttp(endpoint.host(), endpoint.restPort(), path, body);
                connections.put(thread, http);
            }
            return http::post;
        };
    }

    private static <T extends AutoCloseable> T keep(List<AutoCloseable> resources, T resource) {
        resources.add(resource);
        return resource;
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

    private static void ratio(String api, LoadRun.Result served, LoadRun.Result inProcess, double target, String label) {
        double ratio = served.perSecond() / inProcess.perSecond();
        System.out.printf("%s / in-process%-14s %6.1f %%  (target >= %.0f %%: %s)%n", api, label, ratio * 100,
                target * 100, ratio >= target ? "met" : "MISSED");
    }

    /**
     * Command line: {@code [SAVED_MODEL_DIR] [--seconds N] [--concurrency N] [--prediction-threads N] [--jdk-http]};
     * the server's prediction threads default to one per core.
     */
    private record Options(Path model, int seconds, int concurrency, int predictionThreads, boolean jdkHttp) {

        static Options parse(String[] args) {
            Path model = null;
            int seconds = 10;
            int concurrency = 8;
            int predictionThreads = 0;
            boolean jdkHttp = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                    case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                    case "--prediction-threads" -> predictionThreads = Integer.parseInt(args[++i]);
                    case "--jdk-http" -> jdkHttp = true;
                    default -> model = Path.of(args[i]);
                }
            }
            if (model != null && !Files.isRegularFile(model.resolve("saved_model.pb"))) {
                throw new IllegalArgumentException(model + " holds no saved_model.pb; give the folder of one exported version");
            }
            return new Options(model, seconds, concurrency, predictionThreads, jdkHttp);
        }
    }
}
