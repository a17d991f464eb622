package dev.caravan.smoketest;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** How long one call to the model server may take in a smoke test or a scoring route ({@code caravan.smoke-test.*}). */
@Validated
@ConfigurationProperties("caravan.smoke-test")
record SmokeTestSettings(@NotNull Duration deadline) {
}
