package dev.caravan.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

import dev.caravan.CaravanApplication;

/**
 * Starts Caravan once on an empty temporary home, on free ports, and stops it. The launcher runs it with
 * {@code -XX:ArchiveClassesAtExit} to record the classes a start loads in a class-data-sharing archive, which later
 * starts map instead of loading and verifying each class again.
 */
public final class StartOnce {

    private StartOnce() {
    }

    public static void main(String[] args) throws IOException {
        Path home = Files.createTempDirectory("caravan-start-once-");
        try {
            SpringApplication application = new SpringApplication(CaravanApplication.class);
            application.setAdditionalProfiles("local");
            ConfigurableApplicationContext context = application.run("--caravan.home=" + home,
                    "--server.port=0", "--caravan.s3.embedded.port=0", "--caravan.serving.grpc-port=0",
                    "--caravan.serving.rest-port=0", "--logging.threshold.console=ERROR",
                    "--caravan.api.token=start-once");
            context.close();
        } finally {
            FileSystemUtils.deleteRecursively(home);
        }
    }
}
