package dev.caravan.integration;

import java.nio.file.Path;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How Caravan meets other systems: where it publishes pipeline events, and the settings of the example routes
 * (a webhook, a folder to drop data into, a URL that hears about run results).
 */
@Validated
@ConfigurationProperties("caravan.integration")
public record IntegrationProperties(
        @NotBlank String eventsEndpoint,
        String webhookToken,
        @NotNull Path inbox,
        String notifyUrl) {
}
