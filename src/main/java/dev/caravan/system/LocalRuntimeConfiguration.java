package dev.caravan.system;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import io.micrometer.core.instrument.MeterRegistry;

import dev.caravan.serving.LocalServingBackend;
import dev.caravan.serving.ModelServerSettings;
import dev.caravan.serving.ServingBackend;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Settings;
import dev.caravan.system.StorageConfiguration.EmbeddedS3Holder;
import dev.caravan.tensorboard.LocalTensorBoard;
import dev.caravan.tensorboard.TensorBoardBackend;
import dev.caravan.training.LocalTrainingBackend;
import dev.caravan.training.TrainingBackend;

/**
 * The {@code local} runtime, the default: the trainer runs as a child JVM, Caravan's own model server serves, and
 * TensorBoard reads the trainer's event files where they are.
 */
@Configuration(proxyBeanMethods = false)
@Profile("!kubernetes")
class LocalRuntimeConfiguration {

    @Bean
    TrainingBackend trainingBackend(CaravanProperties properties, S3Settings s3) {
        List<String> jvmOptions = properties.training().jvmOptions() == null ? List.of()
                : Arrays.stream(properties.training().jvmOptions().trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        return new LocalTrainingBackend(properties.home().resolve("runs"), s3, LocalTrainingBackend.currentJava(),
                System.getProperty("java.class.path"), jvmOptions, Map.of("TF_CPP_MIN_LOG_LEVEL", "2"));
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    LocalServingBackend servingBackend(CaravanProperties properties, ObjectStore store, MeterRegistry meters) {
        CaravanProperties.Serving serving = properties.serving();
        ModelServerSettings defaults = ModelServerSettings.defaults();
        return new LocalServingBackend(store, properties.home().resolve("serving"), new ModelServerSettings(
                serving.host(), serving.grpcPort(), serving.restPort(), defaults.predictionThreads(), defaults.maxBatchRows()),
                new ServingMetrics(meters));
    }

    /** The smoke test's gRPC client pays its one-time start-up cost here, not in the first run. */
    @Bean
    ApplicationRunner grpcClientWarmUp(ServingBackend serving) {
        return args -> StartupWarmUp.callModelServer(serving);
    }

    @Bean
    TensorBoardBackend tensorBoardBackend(CaravanProperties properties, EmbeddedS3Holder s3) {
        return new LocalTensorBoard(s3.server() == null ? null : properties.home().resolve("s3"));
    }
}
