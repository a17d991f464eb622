package dev.caravan.serving;

import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import dev.caravan.storage.ObjectStore;
import io.micrometer.core.instrument.MeterRegistry;

/** The {@code local} runtime's serving: Caravan's own model server, its SavedModels cached under the home folder. */
@Configuration(proxyBeanMethods = false)
@Profile("!kubernetes")
class LocalServingConfiguration {

    @Bean(initMethod = "start", destroyMethod = "close")
    LocalServingBackend servingBackend(ServingProperties serving, @Value("${caravan.home}") Path home, ObjectStore store,
                                       MeterRegistry meters) {
        ModelServerSettings defaults = ModelServerSettings.defaults();
        return new LocalServingBackend(store, home.resolve("serving"), new ModelServerSettings(serving.host(),
                serving.grpcPort(), serving.restPort(), defaults.predictionThreads(), defaults.maxBatchRows()),
                new ServingMetrics(meters));
    }
}
