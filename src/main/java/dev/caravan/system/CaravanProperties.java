package dev.caravan.system;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Caravan's settings, bound from {@code caravan.*} in {@code config/application.yaml} and the environment. */
@Validated
@ConfigurationProperties("caravan")
public record CaravanProperties(
        @NotNull Path home,
        @NotBlank @Pattern(regexp = "[^/].*/", message = "must end with '/' and not start with '/'") String modelsPrefix,
        @NotBlank @Pattern(regexp = "[^/].*/", message = "must end with '/' and not start with '/'") String trainingPrefix,
        @Valid @NotNull S3 s3,
        @Valid @NotNull Trigger trigger,
        @Valid @NotNull Training training,
        @Valid @NotNull Serving serving,
        @Valid @NotNull SmokeTest smokeTest) {

    /** Where S3 is: the embedded server when {@code endpoint} is empty, else any S3 service. */
    public record S3(String endpoint, @NotBlank String region, String accessKeyId, String secretAccessKey,
                     @Valid @NotNull Embedded embedded) {

        public boolean useEmbedded() {
            return endpoint == null || endpoint.isBlank();
        }
    }

    public record Embedded(@NotBlank String host, @Min(0) @Max(65535) int port) {
    }

    /** How often the pipelines' buckets are listed for new data. */
    public record Trigger(@NotNull Duration pollInterval) {
    }

    /** How the local runtime starts a built-in trainer's JVM. */
    public record Training(String jvmOptions) {
    }

    public record Serving(@NotBlank String host, @Min(0) @Max(65535) int grpcPort, @Min(0) @Max(65535) int restPort) {
    }

    public record SmokeTest(@NotNull Duration deadline) {
    }
}
