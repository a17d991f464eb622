package dev.caravan.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.caravan.serving.LocalServingBackend;
import dev.caravan.serving.ModelServerSettings;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.testutil.TestModels;
import dev.caravan.smoketest.SampleDigits;

/**
 * The model server's curve against its limit: in-process TensorFlow at batch 1, 8, 32 and 64 (batch 32 is the
 * limit), then batch-1 clients at concurrency 1 to 64 in-process, over gRPC and over REST, every line measured in
 * interleaved rounds so that other work on the machine hits all alike. Prints a table and the issue's targets, and
 * draws the curve as a PNG. Not a test: run {@code bench/serving.sh --curve [SAVED_MODEL_DIR] [--seconds N]
 * [--rounds N] [--chart FILE] [--concurrency LIST]}.
 */
public final class ServingCurveBench {

    static final int[] CONCURRENCY = {1, 2, 4, 8, 16, 32, 64};
    static final int[] LIMIT_BATCHES = {1, 8, 32, 64};
    static final int LIMIT_BATCH = 32;
    static final String IN_PROCESS = "in-process";
    static final String GRPC = "gRPC";
    static final String REST = "REST";

    private ServingCurveBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Path model = options.model != null ? options.model
                : TestModels.exportCnn(Files.createTempDirectory("caravan-bench").resolve("1"), options.kernel);
        float[] digit = SampleDigits.load().get(0).pixels();
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("model %s%n%d cores, load average %.2f at the start; each line %d s in %d interleaved rounds "
                        + "after %d s of warm-up per path; gRPC: async stubs on 2 connections, REST: a keep-alive socket "
                        + "per client%n%n", options.model != null ? model
                        : "untrained CNN conv16-pool-conv32-pool-dense128-dense10, " + options.kernel + "x"
                        + options.kernel + " kernels (" + model + ")",
                cores, loadAverage(), options.seconds, options.rounds, options.warmUp().toSeconds());

        List<AutoCloseable> resources = new ArrayList<>();
        try {
            InProcessModel tensorflow = keep(resources, InProcessModel.load(model));
            LocalServingBackend server = keep(resources, new LocalServingBackend(options.settings()));
            server.start();
            server.serveDirectory("mnist", 1, model);
            ServingEndpoint endpoint = server.endpoint();

            Map<String, LoadRun.Load> paths = new LinkedHashMap<>();
            paths.put(IN_PROCESS, LoadRun.threads(thread -> () -> tensorflow.predict(digit)));
            paths.put(GRPC, BenchClients.grpcAsync(resources, endpoint, digit, 2));
            paths.put(REST, BenchClients.rest(resources, endpoint, digit, false));
            Map<Integer, LoadRun.Load> limit = new LinkedHashMap<>();
            for (int batch : LIMIT_BATCHES) {
                float[] stacked = stacked(digit, batch);
                limit.put(batch, LoadRun.threads(thread -> () -> tensorflow.predictBatch(stacked, batch)));
            }

            warmUp(paths, limit, options.warmUp(), cores);
            CurveReport report = measure(paths, limit, options, cores);
            report.print(System.out, loadAverage());
            CurveChart.write(report, options.chart);
            System.out.printf("%nchart: %s%n", options.chart.toAbsolutePath());
        } finally {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
        }
    }

    // The served paths run far more Java than the in-process one; the JIT compiler needs seconds of load to settle.
    private static void warmUp(Map<String, LoadRun.Load> paths, Map<Integer, LoadRun.Load> limit, Duration warmUp,
                               int cores) throws Exception {
        limit.get(LIMIT_BATCH).run("warm-up", cores, warmUp.dividedBy(4));
        for (Map.Entry<String, LoadRun.Load> path : paths.entrySet()) {
            path.getValue().run("warm-up", 1, warmUp.dividedBy(4));
            path.getValue().run("warm-up", 32, warmUp.multipliedBy(3).dividedBy(4));
        }
    }

    // Round after round, every line for a slice: the limit at each batch size, then each concurrency on each path.
    private static CurveReport measure(Map<String, LoadRun.Load> paths, Map<Integer, LoadRun.Load> limit,
                                       Options options, int cores) throws Exception {
        Duration slice = Duration.ofMillis(options.seconds * 1000L / options.rounds);
        Map<String, CurvePoint> points = new LinkedHashMap<>();
        for (int round = 0; round < options.rounds; round++) {
            for (Map.Entry<Integer, LoadRun.Load> batch : limit.entrySet()) {
                add(points, IN_PROCESS + " batch " + batch.getKey(), cores, batch.getKey(), batch.getValue(), slice);
            }
            for (int concurrency : options.concurrency) {
                for (Map.Entry<String, LoadRun.Load> path : paths.entrySet()) {
                    add(points, path.getKey(), concurrency, 1, path.getValue(), slice);
                }
            }
        }
        return new CurveReport(List.copyOf(points.values()), cores, options.concurrency);
    }

    private static void add(Map<String, CurvePoint> points, String path, int concurrency, int batch, LoadRun.Load load,
                            Duration slice) throws Exception {
        CpuUse before = CpuUse.now();
        LoadRun.Result result = load.run(path, concurrency, slice);
        CurvePoint point = new CurvePoint(path, concurrency, batch, result.withCpu(CpuUse.now().minus(before)));
        points.merge(path + "@" + concurrency, point, (a, b) ->
                new CurvePoint(path, concurrency, batch, a.result().plus(b.result())));
    }

    private static float[] stacked(float[] digit, int batch) {
        float[] all = new float[digit.length * batch];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(digit, 0, all, i * digit.length, digit.length);
        }
        return all;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static <T extends AutoCloseable> T keep(List<AutoCloseable> resources, T resource) {
        resources.add(resource);
        return resource;
    }

    /**
     * Command line: {@code [SAVED_MODEL_DIR] [--seconds N] [--rounds N] [--chart FILE] [--concurrency 1,32]
     * [--kernel N] [--prediction-threads N]}; a shorter list of concurrencies (it must hold 1 and 32, the targets'
     * points) compares builds quickly. Without a folder an untrained CNN is exported with {@code --kernel} sized
     * convolutions (3, the trainer's default; 5 costs TensorFlow about what the demo's model cost when the targets
     * were set). {@code --prediction-threads} replaces the model server's default (a core's worth fewer than the
     * cores, at least 1).
     */
    private record Options(Path model, int seconds, int rounds, Path chart, int[] concurrency, int kernel,
                           int predictionThreads) {

        static Options parse(String[] args) {
            Path model = null;
            int seconds = 9;
            int rounds = 3;
            Path chart = Path.of("target", "bench", "serving-curve.png");
            int[] concurrency = CONCURRENCY;
            int kernel = 3;
            int predictionThreads = ModelServerSettings.anyFreePorts().predictionThreads();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--chart" -> chart = Path.of(args[++i]);
                    case "--concurrency" -> concurrency = Arrays.stream(args[++i].split(","))
                            .mapToInt(Integer::parseInt).sorted().distinct().toArray();
                    case "--kernel" -> kernel = Integer.parseInt(args[++i]);
                    case "--prediction-threads" -> predictionThreads = Integer.parseInt(args[++i]);
                    default -> model = Path.of(args[i]);
                }
            }
            if (Arrays.stream(concurrency).noneMatch(c -> c == 1) || Arrays.stream(concurrency).noneMatch(c -> c == 32)) {
                throw new IllegalArgumentException("--concurrency must include 1 and 32, the targets' points");
            }
            if (seconds < 1 || rounds < 1 || kernel < 1 || predictionThreads < 1) {
                throw new IllegalArgumentException("--seconds, --rounds, --kernel and --prediction-threads take a whole"
                        + " number of at least 1");
            }
            if (model != null && !Files.isRegularFile(model.resolve("saved_model.pb"))) {
                throw new IllegalArgumentException(model + " holds no saved_model.pb; give the folder of one exported "
                        + "version");
            }
            return new Options(model, seconds, rounds, chart, concurrency, kernel, predictionThreads);
        }

        /** The model server's settings: free ports, and the prediction threads asked for. */
        ModelServerSettings settings() {
            return ModelServerSettings.anyFreePorts().withPredictionThreads(predictionThreads);
        }

        /**
         * Per path: a quarter at one client, the rest at 32; twice a line's seconds, at least 2 s, at most 20 s. On a
         * busy machine the JIT compiler is still at work after ten seconds, and its CPU would count as the server's.
         */
        Duration warmUp() {
            return Duration.ofSeconds(Math.min(20, Math.max(2, 2L * seconds)));
        }
    }
}
