package dev.caravan.serving;

/** Told how long each predict call the local model server answered took, for metrics. */
@FunctionalInterface
public interface ServingLatency {

    /** Records nothing. */
    ServingLatency NONE = (api, model, nanos, ok) -> { };

    /**
     * @param api   {@code grpc} or {@code rest}
     * @param model the model that answered
     * @param nanos from the request taken to the answer given
     * @param ok    false when the call failed after it was taken (the model's run failed, the server was busy)
     */
    void record(String api, String model, long nanos, boolean ok);
}
