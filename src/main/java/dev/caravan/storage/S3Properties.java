package dev.caravan.storage;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where S3 is ({@code caravan.s3.*}): the embedded server when {@code endpoint} is empty, else any S3 service with
 * the credentials given here, which come only from the environment. {@code maxAttempts} is how many times Caravan's
 * and its trainers' clients try each request (the first included, backing off between) before the step fails.
 */
@Validated
@ConfigurationProperties("caravan.s3")
public record S3Properties(String endpoint, @NotBlank String region, String accessKeyId, String secretAccessKey,
                           @Valid @NotNull Embedded embedded,
                           @DefaultValue("" + S3Settings.DEFAULT_MAX_ATTEMPTS) @Min(1) @Max(20) int maxAttempts) {

    /** The embedded server's address; port 0 picks a free one. */
    public record Embedded(@NotBlank String host, @Min(0) @Max(65535) int port) {
    }

    public boolean useEmbedded() {
        return endpoint == null || endpoint.isBlank();
    }
}
