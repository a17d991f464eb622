package dev.caravan.smoketest;

import java.util.OptionalLong;

import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.storage.S3Location;

/** A model server that is only an address, such as a closed port: nothing can be served on it from here. */
record FixedEndpoint(String host, int grpcPort) implements ServingBackend {

    @Override
    public void serve(String model, long version, S3Location export) {
        throw new UnsupportedOperationException("the server at " + host + ":" + grpcPort + " is not Caravan's");
    }

    @Override
    public void stop(String model) {
        throw new UnsupportedOperationException("the server at " + host + ":" + grpcPort + " is not Caravan's");
    }

    @Override
    public OptionalLong servingVersion(String model) {
        return OptionalLong.empty();
    }

    @Override
    public ServingEndpoint endpoint(String model) {
        return new ServingEndpoint(host, grpcPort, 0);
    }
}
