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

    Predictions(ServedModels models, BatchScheduler scheduler) {
        this.models = models;
        this.scheduler = scheduler;
    }

    /**
     * Checks a request against the version it asks for and queues it; the responder answers it later. A request
     * refused at once (unknown model, bad inputs) throws {@link ServingError} instead.
     *
     * @param inputs the request's inputs by alias, checked against the signature the request names
     */
    void submit(ModelSpec spec, Collection<String> outputFilter,
                Function<ModelSignature, Map<String, InputSource>> inputs, PredictionTask.Responder responder) {
        ServedModels.Lease lease = models.acquire(spec);
        try {
            ModelSignature signature = lease.model().signature(spec.getSignatureName());
            List<TensorSpec> fetches = signature.outputs(outputFilter);
            PredictionTask task = PredictionTask.of(lease, signature, fetches, inputs.apply(signature), responder);
            scheduler.submit(task);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }
}
