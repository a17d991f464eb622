package dev.caravan.training;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import dev.caravan.storage.S3Settings;

/**
 * The {@code local} runtime's training: trainers run as child processes of Caravan, built-in ones as JVMs on
 * Caravan's own class path, each in its folder under {@code <home>/runs/}.
 */
@Configuration(proxyBeanMethods = false)
@Profile("!kubernetes")
class LocalTrainingConfiguration {

    /** The JVM options of a built-in trainer's JVM ({@code caravan.training.jvm-options}). */
    @ConfigurationProperties("caravan.training")
    record LocalTrainerProperties(String jvmOptions) {

        List<String> jvmOptionList() {
            return jvmOptions == null ? List.of()
                    : Arrays.stream(jvmOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        }
    }

    @Bean
    TrainingBackend trainingBackend(LocalTrainerProperties trainer, @Value("${caravan.home}") Path home, S3Settings s3) {
        return new LocalTrainingBackend(home.resolve("runs"), s3, LocalTrainingBackend.currentJava(),
                System.getProperty("java.class.path"), trainer.jvmOptionList(), Map.of("TF_CPP_MIN_LOG_LEVEL", "2"));
    }
}
