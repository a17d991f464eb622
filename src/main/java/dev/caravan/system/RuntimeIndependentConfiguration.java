package dev.caravan.system;

import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import dev.caravan.evaluation.ModelEvaluator;
import dev.caravan.smoketest.ModelServerClient;
import dev.caravan.storage.ObjectStore;

/** Parts that run in Caravan itself whatever the runtime. */
@Configuration(proxyBeanMethods = false)
class RuntimeIndependentConfiguration {

    /** Evaluation runs where Caravan runs, on the snapshot's test images, in both runtimes. */
    @Bean
    ModelEvaluator modelEvaluator(ObjectStore store, @Value("${caravan.home}") Path home) {
        return new ModelEvaluator(store, home.resolve("evaluation"));
    }

    /**
     * A first gRPC call pays the client's one-time start-up cost at start, not in the first run's smoke test. Nothing
     * that readiness promises needs it, so it runs beside the start.
     */
    @Bean
    @Profile("!kubernetes")
    ApplicationRunner grpcClientWarmUp(ModelServerClient client) {
        return args -> {
            Thread thread = new Thread(() -> StartupWarmUp.callModelServer(client), "caravan-warm-up-grpc-client");
            thread.setDaemon(true);
            thread.start();
        };
    }
}
