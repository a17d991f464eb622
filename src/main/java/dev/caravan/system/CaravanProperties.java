package dev.caravan.system;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Caravan's settings, bound from {@code caravan.*} in {@code config/application.yaml} and the environment. */
@Validated
@ConfigurationProperties("caravan")
public record CaravanProperties(
        @NotNull Path home,
        @NotBlank @Size(max = 52) @Pattern(regexp = "[a-z0-9]([-a-z0-9]*[a-z0-9])?", message = "must be a DNS-1123 label: lower-case letters, digits and '-'") String modelName,
        @NotBlank String bucket,
        @NotBlank @Pattern(regexp = "([^/].*/)?", message = "must be empty or end with '/' and not start with '/'") String dataPrefix,
        @NotBlank @Pattern(regexp = "[^/].*/", message = "must end with '/' and not start with '/'") String modelsPrefix,
        @NotBlank @Pattern(regexp = "[^/].*/", message = "must end with '/' and not start with '/'") String trainingPrefix,
        @Valid @NotNull S3 s3,
        @Valid @NotNull Trigger trigger,
        @Valid @NotNull Training training,
        @Valid @NotNull Gate gate,
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

    /** When an upload counts as complete. */
    public record Trigger(@NotBlank String marker, @NotNull Duration quietPeriod, @NotNull Duration pollInterval) {
    }

    public record Training(@Min(1) int steps, @Min(1) int batchSize,
                           @DecimalMin(value = "0", inclusive = false) double learningRate,
                           @NotNull Duration timeout, String jvmOptions) {
    }

    /** The evaluation gate a model passes before it is promoted. */
    public record Gate(@DecimalMin("0") @DecimalMax("1") double minAccuracy, @DecimalMin("0") @DecimalMax("1") double tolerance) {
    }

    public record Serving(@NotBlank String host, @Min(0) @Max(65535) int grpcPort, @Min(0) @Max(65535) int restPort) {
    }

    public record SmokeTest(@DecimalMin("0") @DecimalMax("1") double minCorrect, @NotNull Duration deadline) {
    }
}
