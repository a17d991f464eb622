package dev.caravan.serving;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;

/**
 * TensorFlow Serving's gRPC services on Netty. Calls are handled on the transport threads, which only decode,
 * check and queue predictions (the prediction threads run and answer them), so no thread hand-off is added.
 */
final class GrpcServer implements AutoCloseable {

    // TensorFlow Serving takes messages up to 2 GB; 64 MB covers batches of thousands of images.
    private static final int MAX_MESSAGE = 64 * 1024 * 1024;

    private final Server server;
    private final EventLoopGroup group;

    private GrpcServer(Server server, EventLoopGroup group) {
        this.server = server;
        this.group = group;
    }

    static GrpcServer start(String host, int port, int transportThreads, ServedModels models, Predictions predictions) {
        EventLoopGroup group = Transports.eventLoops(transportThreads, "caravan-grpc");
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .channelType(Transports.serverChannel())
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group)
                .directExecutor()
                .maxInboundMessageSize(MAX_MESSAGE)
                .addService(new GrpcPredictionService(models, predictions))
                .addService(new GrpcModelService(models))
                .build();
        try {
            return new GrpcServer(server.start(), group);
        } catch (IOException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new ServingException("cannot listen for gRPC on " + host + ":" + port + ": " + e.getMessage()
                    + "; is another model server using the port? Choose another gRPC port", e);
        }
    }

    int port() {
        return server.getPort();
    }

    /** Stops taking calls and waits a little for those in progress. */
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
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
