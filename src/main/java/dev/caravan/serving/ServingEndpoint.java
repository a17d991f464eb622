package dev.caravan.serving;

/** The address of a TensorFlow Serving compatible server: gRPC and REST ports on one host. */
public record ServingEndpoint(String host, int grpcPort, int restPort) {
}
