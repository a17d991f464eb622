package dev.caravan.serving;

import java.util.OptionalLong;

import dev.caravan.storage.S3Location;

/**
 * Serves model versions through TensorFlow Serving's APIs. The {@code local} implementation is Caravan's own
 * model server; the {@code kubernetes} one a TensorFlow Serving Deployment.
 */
public interface ServingBackend {

    /**
     * Makes {@code version} of {@code model}, exported at {@code export}, the one served, and returns once it
     * answers. Requests in flight finish on the version they started on; none fails. Rolling back is serving the
     * previous version again.
     *
     * @throws ServingException when the version cannot be loaded; the version served before stays served
     */
    void serve(String model, long version, S3Location export);

    /** Stops serving {@code model}: what rolling back means when no version served before. */
    void stop(String model);

    /** The version of {@code model} now served, if any. */
    OptionalLong servingVersion(String model);

    /** Where a TensorFlow Serving client reaches {@code model}: one server for all models, or one per model. */
    ServingEndpoint endpoint(String model);
}
