package dev.caravan.serving;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;

/**
 * TensorFlow Serving's gRPC services on Netty. Calls are handled on the transport threads, which only decode,
 * check and queue predictions (the prediction threads run and answer them), so no thread hand-off is added.
 */
final class GrpcServer implements AutoCloseable {

    // TensorFlow Serving takes messages up to 2 GB; 64 MB covers batches of thousands of images.
    private static final int MAX_MESSAGE = 64 * 1024 * 1024;

    private final Server server;

    private GrpcServer(Server server) {
        this.server = server;
    }

    static GrpcServer start(String host, int port, ServedModels models, Predictions predictions) {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .directExecutor()
                .maxInboundMessageSize(MAX_MESSAGE)
                .addService(new GrpcPredictionService(models, predictions))
                .addService(new GrpcModelService(models))
                .build();
        try {
            return new GrpcServer(server.start());
        } catch (IOException e) {
            throw new ServingException("cannot listen for gRPC on " + host + ":" + port + ": " + e.getMessage()
                    + "; is another model server using the port? Choose another gRPC port", e);
        }
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
