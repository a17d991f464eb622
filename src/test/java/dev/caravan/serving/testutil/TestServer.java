package dev.caravan.serving.testutil;

import java.nio.file.Path;

import dev.caravan.serving.LocalServingBackend;
import dev.caravan.serving.ModelServerSettings;
import dev.caravan.serving.ServingEndpoint;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/** A started local model server on free loopback ports, serving the linear MNIST test model as mnist version 1. */
public final class TestServer implements AutoCloseable {

    public static final String MODEL = "mnist";

    private final LocalServingBackend backend;
    private final Path modelDir;
    private final ManagedChannel channel;

    private TestServer(LocalServingBackend backend, Path modelDir) {
        this.backend = backend;
        this.modelDir = modelDir;
        ServingEndpoint endpoint = backend.endpoint();
        this.channel = ManagedChannelBuilder.forAddress(endpoint.host(), endpoint.grpcPort()).usePlaintext().build();
    }

    /** Exports the test model below {@code work} and serves it as version 1 of {@code mnist}. */
    public static TestServer start(Path work) {
        Path modelDir = TestModels.exportMnist(work.resolve("export"));
        LocalServingBackend backend = new LocalServingBackend(ModelServerSettings.anyFreePorts());
        backend.start();
        backend.serveDirectory(MODEL, 1, modelDir);
        return new TestServer(backend, modelDir);
    }

    public LocalServingBackend backend() {
        return backend;
    }

    /** The exported test model, to serve again under other version numbers. */
    public Path modelDir() {
        return modelDir;
    }

    public ServingEndpoint endpoint() {
        return backend.endpoint();
    }

    /** A plaintext channel to the gRPC port, closed with the server. */
    public ManagedChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        backend.close();
    }
}
