package dev.caravan.system;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.caravan.evaluation.ModelEvaluator;
import dev.caravan.storage.ObjectStore;

/** Parts that run in Caravan itself whatever the runtime. */
@Configuration(proxyBeanMethods = false)
class RuntimeIndependentConfiguration {

    /** Evaluation runs where Caravan runs, on the snapshot's test images, in both runtimes. */
    @Bean
    ModelEvaluator modelEvaluator(ObjectStore store, CaravanProperties properties) {
        return new ModelEvaluator(store, properties.home().resolve("evaluation"));
    }
}
