package dev.caravan.training;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    private static final String ARCHIVE_OPTION = "-XX:SharedArchiveFile=";

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
        List<String> options = new ArrayList<>(classArchiveOptions(
                ManagementFactory.getRuntimeMXBean().getInputArguments(), trainer.jvmOptionList(), Path.of("")));
        options.addAll(trainer.jvmOptionList());
        return new LocalTrainingBackend(runs, s3, LocalTrainingBackend.currentJava(),
                System.getProperty("java.class.path"), options, Map.of("TF_CPP_MIN_LOG_LEVEL", "2"));
    }

    /**
     * The class-data-sharing archive this JVM maps ({@code -XX:SharedArchiveFile}, which {@code ./caravan} gives it),
     * as options for a built-in trainer's JVM: the trainer runs on the same Java and class path, and the archive holds
     * the TensorFlow and S3 classes it loads, which saves it most of a second before its first step. The path is made
     * absolute ({@code workingDir}: this JVM's), since trainers run in their run folders. {@code -Xshare:auto}: an
     * archive the trainer's JVM cannot use is ignored. None when this JVM maps no archive, or when the trainer's own
     * options choose one, or start an agent or a flight recording (Java 17 can crash loading archived classes under
     * them).
     *
     * @param serverArguments this JVM's options, as {@code RuntimeMXBean.getInputArguments()} lists them
     * @param trainerOptions  {@code caravan.training.jvm-options}, split
     */
    static List<String> classArchiveOptions(List<String> serverArguments, List<String> trainerOptions, Path workingDir) {
        if (trainerOptions.stream().anyMatch(o -> o.startsWith("-XX:SharedArchiveFile") || o.startsWith("-Xshare")
                || o.startsWith("-javaagent") || o.startsWith("-agent") || o.contains("FlightRecord"))) {
            return List.of();
        }
        Optional<String> archive = serverArguments.stream().filter(a -> a.startsWith(ARCHIVE_OPTION))
                .reduce((first, last) -> last).map(a -> a.substring(ARCHIVE_OPTION.length()));
        return archive.filter(a -> !a.isBlank()).map(a -> List.of(
                ARCHIVE_OPTION + workingDir.toAbsolutePath().resolve(a).normalize(), "-Xshare:auto", "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off")).orElse(List.of());
    }
}
