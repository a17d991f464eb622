package dev.caravan.trigger;

import java.net.URI;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

import dev.caravan.storage.S3Settings;

/**
 * The SQS client of the route that takes S3 event notifications from a queue ({@code caravan.trigger.sqs}), with
 * S3's credentials. Building it opens no connection: without a queue no route uses it.
 */
@Configuration(proxyBeanMethods = false)
class SqsConfiguration {

    @Bean
    SqsClient sqsClient(TriggerSettings settings, S3Settings s3) {
        TriggerSettings.Sqs sqs = settings.sqs();
        SqsClientBuilder builder = SqsClient.builder()
                .region(Region.of(sqs.region() == null || sqs.region().isBlank() ? s3.region() : sqs.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKeyId(), s3.secretAccessKey())));
        if (sqs.endpoint() != null && !sqs.endpoint().isBlank()) {
            builder.endpointOverride(URI.create(sqs.endpoint()));
        }
        return builder.build();
    }
}
