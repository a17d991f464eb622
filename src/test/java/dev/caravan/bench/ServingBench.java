package dev.caravan.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.caravan.serving.LocalServingBackend;
import dev.caravan.serving.ModelServerSettings;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.testutil.TestModels;
import dev.caravan.smoketest.SampleDigits;

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
        // Steady state is what counts: the served paths run far more code than the in-process one, and the JIT compiler
        // keeps compiling it for seconds after the first calls.
        Duration warmUp = Duration.ofSeconds(Math.max(5, options.seconds / 2));
        System.out.printf("model %s%n%d clients, batch-1 requests, %d s measured per line in %d interleaved rounds "
                        + "after 2 rounds of %d s warm-up, %d cores (load average %.1f), gRPC client: %s, REST client: %s%n",
                options.model != null ? model : "untrained CNN conv16-pool-conv32-pool-dense128-dense10 (" + model + ")",
                options.concurrency, options.seconds, ROUNDS, warmUp.toSeconds(), Runtime.getRuntime().availableProcessors(),
                loadAverage(),
                options.grpcBlocking ? "blocking stubs" : "async stubs on " + options.grpcConnections + " connections", options.jdkHttp ? "java.net.http" : "keep-alive sockets");
        System.out.printf("garbage collector: %s; CPU per call is the process's CPU time over the calls made, by thread "
                + "group (other: collector, JIT compiler, TensorFlow's own threads)%n%n", ManagementFactory
                .getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());

        List<AutoCloseable> resources = new ArrayList<>();
        try {
            InProcessModel tensorflow = keep(resources, InProcessModel.load(model));
            ModelServerSettings settings = options.predictionThreads > 0
                    ? ModelServerSettings.anyFreePorts().withPredictionThreads(options.predictionThreads)
                    : ModelServerSettings.anyFreePorts();
            ServingEndpoint batched = start(resources, model, settings);
            ServingEndpoint alone = start(resources, model, settings.withMaxBatchRows(1));
            Map<String, LoadRun.Load> phases = new LinkedHashMap<>();
            phases.put("in-process SavedModel", LoadRun.threads(thread -> () -> tensorflow.predict(digit)));
            phases.put("gRPC Predict", grpc(options, resources, batched, digit));
            phases.put("REST predict", BenchClients.rest(resources, batched, digit, options.jdkHttp));
            phases.put("gRPC Predict, no batching", grpc(options, resources, alone, digit));
            phases.put("REST predict, no batching", BenchClients.rest(resources, alone, digit, options.jdkHttp));
            Map<String, LoadRun.Result> results = measure(phases, options, warmUp);
            results.values().forEach(System.out::println);

            LoadRun.Result base = results.get("in-process SavedModel");
            System.out.println();
            ratio("gRPC", results.get("gRPC Predict"), base, GRPC_TARGET, "");
            ratio("REST", results.get("REST predict"), base, REST_TARGET, "");
            ratio("gRPC", results.get("gRPC Predict, no batching"), base, GRPC_TARGET, ", no batching");
            ratio("REST", results.get("REST predict, no batching"), base, REST_TARGET, ", no batching");
            System.out.printf("%nload average at the end %.1f (other work on the machine lowers the served figures "
                    + "more than the in-process one: every request crosses several threads)%n", loadAverage());
        } finally {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
        }
    }

    // Other work on the machine comes and goes; measuring every line in several short rounds exposes them alike.
    // Warming up takes two rounds: on a busy machine the JIT compiler needs many seconds to settle.
    private static Map<String, LoadRun.Result> measure(Map<String, LoadRun.Load> phases, Options options,
                                                       Duration warmUp) throws Exception {
        for (int round = 0; round < 2; round++) {
            for (Map.Entry<String, LoadRun.Load> phase : phases.entrySet()) {
                phase.getValue().run(phase.getKey(), options.concurrency, warmUp);
            }
        }
        Duration slice = Duration.ofMillis(options.seconds * 1000L / ROUNDS);
        Map<String, LoadRun.Result> results = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (Map.Entry<String, LoadRun.Load> phase : phases.entrySet()) {
                CpuUse before = CpuUse.now();
                LoadRun.Result result = phase.getValue().run(phase.getKey(), options.concurrency, slice);
                results.merge(phase.getKey(), result.withCpu(CpuUse.now().minus(before)), LoadRun.Result::plus);
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

    private static LoadRun.Load grpc(Options options, List<AutoCloseable> resources, ServingEndpoint endpoint,
                                     float[] digit) {
        return options.grpcBlocking ? BenchClients.grpcBlocking(resources, endpoint, digit)
                : BenchClients.grpcAsync(resources, endpoint, digit, options.grpcConnections);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static <T extends AutoCloseable> T keep(List<AutoCloseable> resources, T resource) {
        resources.add(resource);
        return resource;
    }

    private static void ratio(String api, LoadRun.Result served, LoadRun.Result inProcess, double target, String label) {
        double ratio = served.perSecond() / inProcess.perSecond();
        System.out.printf("%s / in-process%-14s %6.1f %%  (target >= %.0f %%: %s)%n", api, label, ratio * 100,
                target * 100, ratio >= target ? "met" : "MISSED");
    }

    /**
     * Command line: {@code [SAVED_MODEL_DIR] [--seconds N] [--concurrency N] [--prediction-threads N]
     * [--grpc-connections N] [--grpc-blocking] [--jdk-http]}; the server's prediction threads default to one per
     * core. The gRPC client keeps its requests in flight asynchronously over 2 connections (one per server transport
     * thread on 2 cores) unless {@code --grpc-blocking} gives each client thread a blocking stub and a connection;
     * the REST client uses one keep-alive socket per client thread unless {@code --jdk-http}.
     */
    private record Options(Path model, int seconds, int concurrency, int predictionThreads, boolean jdkHttp,
                           boolean grpcBlocking, int grpcConnections) {

        static Options parse(String[] args) {
            Path model = null;
            int seconds = 10;
            int concurrency = 8;
            int predictionThreads = 0;
            boolean jdkHttp = false;
            boolean grpcBlocking = false;
            int grpcConnections = 2;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                    case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                    case "--prediction-threads" -> predictionThreads = Integer.parseInt(args[++i]);
                    case "--jdk-http" -> jdkHttp = true;
                    case "--grpc-blocking" -> grpcBlocking = true;
                    case "--grpc-connections" -> grpcConnections = Integer.parseInt(args[++i]);
                    default -> model = Path.of(args[i]);
                }
            }
            if (model != null && !Files.isRegularFile(model.resolve("saved_model.pb"))) {
                throw new IllegalArgumentException(model + " holds no saved_model.pb; give the folder of one exported version");
            }
            return new Options(model, seconds, concurrency, predictionThreads, jdkHttp, grpcBlocking, grpcConnections);
        }
    }
}
