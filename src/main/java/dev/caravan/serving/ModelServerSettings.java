package dev.caravan.serving;

/**
 * Where Caravan's model server listens and how many requests it runs at once.
 *
 * @param host           the address to bind; {@code 0.0.0.0} for every interface
 * @param grpcPort       TensorFlow Serving's gRPC port, 8500 by default; 0 picks a free port
 * @param restPort       TensorFlow Serving's REST port, 8501 by default; 0 picks a free port
 * @param requestThreads predictions run at once per protocol; about the number of concurrent clients
 */
public record ModelServerSettings(String host, int grpcPort, int restPort, int requestThreads) {

    public static final int DEFAULT_GRPC_PORT = 8500;
    public static final int DEFAULT_REST_PORT = 8501;
    public static final int DEFAULT_REQUEST_THREADS = 8;

    public ModelServerSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("the model server needs a host to bind, for example 127.0.0.1");
        }
        checkPort("gRPC", grpcPort);
        checkPort("REST", restPort);
        if (requestThreads < 1) {
            throw new IllegalArgumentException("the model server needs at least one request thread, not " + requestThreads);
        }
    }

    /** TensorFlow Serving's ports (8500, 8501) on the loopback interface. */
    public static ModelServerSettings defaults() {
        return new ModelServerSettings("127.0.0.1", DEFAULT_GRPC_PORT, DEFAULT_REST_PORT, DEFAULT_REQUEST_THREADS);
    }

    /** Free ports on the loopback interface, for tests and benchmarks. */
    public static ModelServerSettings anyFreePorts() {
        return new ModelServerSettings("127.0.0.1", 0, 0, DEFAULT_REQUEST_THREADS);
    }

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the " + what + " port must be 0..65535 (0 picks a free one), not " + port);
        }
    }
}
