package dev.caravan.serving;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.caravan.serving.api.ModelSpec;

/** Takes predict requests from either API to the prediction threads. */
final class Predictions {

    private final ServedModels models;
    private final BatchScheduler scheduler;
    private final ServingLatency latency;

    Predictions(ServedModels models, BatchScheduler scheduler, ServingLatency latency) {
        this.models = models;
        this.scheduler = scheduler;
        this.latency = latency;
    }

    /**
     * Checks a request against the version it asks for and queues it; the responder answers it later. A request
     * refused at once (unknown model, bad inputs) throws {@link ServingError} instead.
     *
     * @param api    {@code grpc} or {@code rest}, for the latency metric
     * @param inputs the request's inputs by alias, checked against the signature the request names
     */
    void submit(String api, ModelSpec spec, Collection<String> outputFilter,
                Function<ModelSignature, Map<String, InputSource>> inputs, PredictionTask.Responder responder) {
        long taken = System.nanoTime();
        ServedModels.Lease lease = models.acquire(spec);
        try {
            ModelSignature signature = lease.model().signature(spec.getSignatureName());
            List<TensorSpec> fetches = signature.outputs(outputFilter);
            PredictionTask task = PredictionTask.of(lease, signature, fetches, inputs.apply(signature),
                    new Timed(responder, latency, api, lease.model().name(), taken));
            scheduler.submit(task);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** Records the call's latency when it is answered. */
    private record Timed(PredictionTask.Responder responder, ServingLatency latency, String api, String model,
                         long taken) implements PredictionTask.Responder {

        @Override
        public void respond(LoadedModel model, ModelSignature signature, List<TensorSpec> fetches,
                            List<OutputSlice> outputs) {
            responder.respond(model, signature, fetches, outputs);
            latency.record(api, this.model, System.nanoTime() - taken, true);
        }

        @Override
        public void fail(ServingError error) {
            responder.fail(error);
            latency.record(api, model, System.nanoTime() - taken, false);
        }
    }
}
