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
 * Caravan's own class path, each in its folder under {@code <home>/runs/} (or {@code caravan.training.runs-dir}).
 */
@Configuration(proxyBeanMethods = false)
@Profile("!kubernetes")
class LocalTrainingConfiguration {

    /**
     * The JVM options of a built-in trainer's JVM ({@code caravan.training.jvm-options}), and the folder of the run
     * folders ({@code caravan.training.runs-dir}; empty: {@code <home>/runs}). Caravans on one machine that share the
     * folder adopt each other's trainers when leadership moves, and show each other's trainer logs.
     */
    @ConfigurationProperties("caravan.training")
    record LocalTrainerProperties(String jvmOptions, Path runsDir) {

        List<String> jvmOptionList() {
            return jvmOptions == null ? List.of()
                    : Arrays.stream(jvmOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        }
    }

    @Bean
    TrainingBackend trainingBackend(LocalTrainerProperties trainer, @Value("${caravan.home}") Path home, S3Settings s3) {
        Path runs = trainer.runsDir() == null ? home.resolve("runs") : trainer.runsDir();
        return new LocalTrainingBackend(runs, s3, LocalTrainingBackend.currentJava(),
                System.getProperty("java.class.path"), trainer.jvmOptionList(), Map.of("TF_CPP_MIN_LOG_LEVEL", "2"));
    }
}
