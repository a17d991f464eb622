package dev.caravan.trigger;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How the pipelines' prefixes are watched ({@code caravan.trigger.*}): how often they are listed for a marker or new
 * objects, whether the embedded S3 server's own notifications start runs at once (on unless set to false), and the
 * SQS queue S3 sends its event notifications to, if any.
 */
@Validated
@ConfigurationProperties("caravan.trigger")
record TriggerSettings(@NotNull Duration pollInterval, Boolean embeddedEvents, Sqs sqs) {

    TriggerSettings {
        embeddedEvents = embeddedEvents == null || embeddedEvents;
        sqs = sqs == null ? new Sqs(null, null, null) : sqs;
    }

    /**
     * The queue that AWS S3 (or an SQS-compatible target) sends event notifications to: its name or ARN; empty for
     * none. {@code endpoint} overrides AWS's for the region (an SQS-compatible server); {@code region}
     * defaults to S3's. Credentials are S3's.
     */
    record Sqs(String queue, String endpoint, String region) {

        boolean enabled() {
            return queue != null && !queue.isBlank();
        }
    }
}
