package dev.caravan.smoketest;

import java.time.Duration;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;

import dev.caravan.serving.ServingBackend;
import dev.caravan.storage.ObjectStore;

/** Caravan's prediction-service route in a Camel of its own, with the deadline interceptor as Caravan binds it. */
final class PredictionRoute implements AutoCloseable {

    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final PredictionServiceDeadline deadline;

    private PredictionRoute(CamelContext camel, PredictionServiceDeadline deadline) {
        this.camel = camel;
        this.producer = camel.createProducerTemplate();
        this.deadline = deadline;
    }

    static PredictionRoute start(Duration deadline) {
        try {
            CamelContext camel = new DefaultCamelContext();
            PredictionServiceDeadline interceptor = new PredictionServiceDeadline(deadline);
            camel.getRegistry().bind("predictionServiceDeadline", interceptor);
            camel.addRoutes(new PredictionServiceRoute());
            camel.start();
            return new PredictionRoute(camel, interceptor);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start Camel", e);
        }
    }

    ModelServerClient client(ServingBackend serving) {
        return new ModelServerClient(producer, serving, deadline);
    }

    SmokeTest smokeTest(ServingBackend serving, ObjectStore store) {
        return new SmokeTest(client(serving), new SmokeSampleSource(store));
    }

    @Override
    public void close() throws Exception {
        producer.stop();
        camel.close();
    }
}
