package dev.caravan.smoketest;

import org.apache.camel.ProducerTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.caravan.serving.ServingBackend;
import dev.caravan.storage.ObjectStore;

/** The smoke test and the gRPC client it shares with the routes that score data. */
@Configuration(proxyBeanMethods = false)
class SmokeTestConfiguration {

    @Bean
    PredictionServiceRoute predictionServiceRoute() {
        return new PredictionServiceRoute();
    }

    @Bean
    PredictionServiceDeadline predictionServiceDeadline(SmokeTestSettings settings) {
        return new PredictionServiceDeadline(settings.deadline());
    }

    @Bean
    ModelServerClient modelServerClient(ProducerTemplate producer, ServingBackend serving,
                                        PredictionServiceDeadline deadline) {
        return new ModelServerClient(producer, serving, deadline);
    }

    // Not "smokeTest": that is the retrain job's step.
    @Bean
    SmokeTest modelSmokeTest(ModelServerClient client, ObjectStore store) {
        return new SmokeTest(client, new SmokeSampleSource(store));
    }
}
