package dev.caravan.storage;

import java.time.Duration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Path-style S3 clients that retry with the SDK's standard strategy: no answer, 5xx and throttling (503 SlowDown)
 * are tried again, up to {@link S3Settings#maxAttempts()} attempts in all, after an exponential backoff with jitter
 * (from 100 ms, from 1 s when throttled). A 4xx is an answer and is not retried.
 */
public final class S3Clients {

    /** Backoff of a {@link #patient} client: 1 s doubling up to 15 s, each wait between half and all of that. */
    private static final Duration PATIENT_BASE = Duration.ofSeconds(1);
    private static final Duration PATIENT_CAP = Duration.ofSeconds(15);

    private S3Clients() {
    }

    /** A client for the settings, trying each request up to {@code settings.maxAttempts()} times. */
    public static S3Client standard(S3Settings settings) {
        return client(settings, retries(settings.maxAttempts()).build());
    }

    /**
     * A client that keeps trying each request for about {@code patience} (at least the settings' attempts), for work
     * worth waiting for, such as a finished training's upload while S3's server restarts.
     */
    public static S3Client patient(S3Settings settings, Duration patience) {
        int attempts = 1;
        Duration waited = Duration.ZERO;
        for (Duration wait = PATIENT_BASE; waited.compareTo(patience) < 0; wait = min(wait.multipliedBy(2), PATIENT_CAP)) {
            waited = waited.plus(wait);
            attempts++;
        }
        BackoffStrategy backoff = BackoffStrategy.exponentialDelayHalfJitter(PATIENT_BASE, PATIENT_CAP);
        return client(settings, retries(Math.max(attempts, settings.maxAttempts()))
                .backoffStrategy(backoff).throttlingBackoffStrategy(backoff).build());
    }

    /**
     * The SDK's standard strategy without its circuit breaker: that breaker stops retrying for the whole client once
     * a quota of failures is spent, so after one outage every request would fail at its first error; a step fails
     * after its own attempts anyway, which bounds the load well enough for one orchestrator.
     */
    private static StandardRetryStrategy.Builder retries(int maxAttempts) {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).circuitBreakerEnabled(false);
    }

    private static S3Client client(S3Settings settings, StandardRetryStrategy retries) {
        return S3Client.builder()
                .endpointOverride(settings.endpoint())
                .region(Region.of(settings.region()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())))
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64))
                .overrideConfiguration(o -> o.retryStrategy(retries))
                .build();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
