package dev.caravan.serving;

/**
 * Where Caravan's model server listens and how many requests it runs at once.
 *
 * <p>Predictions run on {@code predictionThreads} threads, by default one per core but one (and at least one): each
 * runs TensorFlow's ops itself, so more threads than cores only add switching, and the core left over runs the
 * transport threads that decode and answer requests (and, on one host, the clients). On 2 cores one prediction thread
 * served a median 29 % more gRPC calls at 32 clients than two (-4 to +48 % in 8 interleaved pairs of
 * {@code bench/serving.sh --curve} and {@code --prediction-threads 2}), about as many REST calls, and a lone client no
 * slower. Requests that arrive while those threads are busy are stacked into one TensorFlow call of up to
 * {@code maxBatchRows} rows, which serves many concurrent clients (8 on 2 cores, say) with a fraction of the calls; a
 * request never waits for others to arrive.
 *
 * @param host              the address to bind; {@code 0.0.0.0} for every interface
 * @param grpcPort          TensorFlow Serving's gRPC port, 8500 by default; 0 picks a free port
 * @param restPort          TensorFlow Serving's REST port, 8501 by default; 0 picks a free port
 * @param predictionThreads threads running predictions; also the number of transport (network) threads per API,
 *                          which only decode, check and queue requests and write answers
 * @param maxBatchRows      rows (instances) one TensorFlow call may stack from queued requests; 1 turns batching off
 */
public record ModelServerSettings(String host, int grpcPort, int restPort, int predictionThreads, int maxBatchRows) {

    public static final int DEFAULT_GRPC_PORT = 8500;
    public static final int DEFAULT_REST_PORT = 8501;
    public static final int DEFAULT_MAX_BATCH_ROWS = 32;

    public ModelServerSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("the model server needs a host to bind, for example 127.0.0.1");
        }
        checkPort("gRPC", grpcPort);
        checkPort("REST", restPort);
        if (predictionThreads < 1) {
            throw new IllegalArgumentException("the model server needs at least one prediction thread, not "
                    + predictionThreads);
        }
        if (maxBatchRows < 1) {
            throw new IllegalArgumentException("a batch holds at least one row, not " + maxBatchRows);
        }
    }

    /** TensorFlow Serving's ports (8500, 8501) on the loopback interface, the default prediction threads. */
    public static ModelServerSettings defaults() {
        return new ModelServerSettings("127.0.0.1", DEFAULT_GRPC_PORT, DEFAULT_REST_PORT, defaultPredictionThreads(),
                DEFAULT_MAX_BATCH_ROWS);
    }

    /** Free ports on the loopback interface, for tests and benchmarks. */
    public static ModelServerSettings anyFreePorts() {
        return new ModelServerSettings("127.0.0.1", 0, 0, defaultPredictionThreads(), DEFAULT_MAX_BATCH_ROWS);
    }

    /** The same settings with other ports (0 picks a free one). */
    public ModelServerSettings withPorts(int grpcPort, int restPort) {
        return new ModelServerSettings(host, grpcPort, restPort, predictionThreads, maxBatchRows);
    }

    /** The same settings with {@code threads} prediction threads. */
    public ModelServerSettings withPredictionThreads(int threads) {
        return new ModelServerSettings(host, grpcPort, restPort, threads, maxBatchRows);
    }

    /** The same settings with batching limited to {@code rows} per call (1 turns it off). */
    public ModelServerSettings withMaxBatchRows(int rows) {
        return new ModelServerSettings(host, grpcPort, restPort, predictionThreads, rows);
    }

    private static int defaultPredictionThreads() {
        return defaultPredictionThreads(Runtime.getRuntime().availableProcessors());
    }

    /** One per core but one, at least one: the core left over decodes and answers the requests. */
    static int defaultPredictionThreads(int cores) {
        return Math.max(1, cores - 1);
    }

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the " + what + " port must be 0..65535 (0 picks a free one), not " + port);
        }
    }
}
