package dev.caravan.trigger;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** How often the pipelines' prefixes are listed for a marker or new objects ({@code caravan.trigger.*}). */
@Validated
@ConfigurationProperties("caravan.trigger")
record TriggerSettings(@NotNull Duration pollInterval) {
}
