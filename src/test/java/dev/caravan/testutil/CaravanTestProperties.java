package dev.caravan.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.util.FileSystemUtils;

/** Settings for a Caravan under test: its own home, free ports, quick polling, and a short training. */
public final class CaravanTestProperties {

    private CaravanTestProperties() {
    }

    /** Registers a fresh home and free ports; training settings small enough for CI but real. */
    public static Path register(DynamicPropertyRegistry registry) {
        Path home = newHome();
        registry.add("caravan.home", home::toString);
        registry.add("caravan.s3.embedded.port", () -> "0");
        registry.add("caravan.serving.grpc-port", () -> "0");
        registry.add("caravan.serving.rest-port", () -> "0");
        registry.add("caravan.trigger.poll-interval", () -> "200ms");
        registry.add("caravan.pipelines.mnist.trainer.parameters.trainSteps", () -> "150");
        registry.add("caravan.pipelines.mnist.trainer.parameters.batchSize", () -> "50");
        registry.add("caravan.pipelines.mnist.trainer.timeout", () -> "5m");
        registry.add("caravan.training.jvm-options", () -> "-Xmx768m -XX:+UseSerialGC");
        registry.add("caravan.pipelines.mnist.gate.min", () -> "0.85");
        registry.add("logging.file.name", () -> home.resolve("logs/caravan.log").toString());
        return home;
    }

    /** A new home folder, deleted when the test JVM ends. */
    public static Path newHome() {
        try {
            Path home = Files.createTempDirectory("caravan-test-");
            if (!Boolean.getBoolean("caravan.keepTestHomes")) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(home.toFile())));
            }
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
