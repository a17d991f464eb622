package dev.caravan.system;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Caravan's settings, bound from {@code caravan.*} in {@code config/application.yaml} and the environment. */
@Validated
@ConfigurationProperties("caravan")
public record CaravanProperties(
        @NotNull Path home,
        @Valid @NotNull Training training,
        @Valid @NotNull Serving serving,
        @Valid @NotNull SmokeTest smokeTest) {


    /** How the local runtime starts a built-in trainer's JVM. */
    public record Training(String jvmOptions) {
    }

    public record Serving(@NotBlank String host, @Min(0) @Max(65535) int grpcPort, @Min(0) @Max(65535) int restPort) {
    }

    public record SmokeTest(@NotNull Duration deadline) {
    }
}
