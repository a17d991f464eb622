package dev.caravan.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.core.env.Environment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunEvent;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;

/**
 * S3 event notifications as MinIO's webhook and AWS S3 (through SQS) send them: a marker's event starts its
 * pipeline's run at once, and the marker route that polls beside it never starts a second one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3EventNotificationsTest {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/mnist/");
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper json = new ObjectMapper();

    private static final String QUEUE = "caravan-s3-events";

    private static Path home;
    private static SQSRestServer sqsServer;
    private static SqsClient sqs;
    private static String queueUrl;
    private static CaravanInstance caravan;
    private static String api;

    @BeforeAll
    static void start() {
        sqsServer = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        String sqsEndpoint = "http://127.0.0.1:" + sqsServer.waitUntilStarted().localAddress().getPort();
        sqs = SqsClient.builder().endpointOverride(URI.create(sqsEndpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"))).build();
        queueUrl = sqs.createQueue(b -> b.queueName(QUEUE)).queueUrl();
        home = CaravanTestProperties.newHome();
        // The embedded server's own notifications off: the webhook and SQS are what start runs here.
        caravan = CaravanInstance.start(home, "--caravan.trigger.poll-interval=2s", "--caravan.trigger.embedded-events=false",
                "--caravan.pipelines.mnist.gate.min=0", "--caravan.trigger.sqs.queue=" + QUEUE,
                "--caravan.trigger.sqs.endpoint=" + sqsEndpoint);
        api = "http://127.0.0.1:" + caravan.bean(Environment.class).getProperty("local.server.port");
    }

    @AfterAll
    static void stop() {
        if (caravan != null) {
            caravan.close();
        }
        if (sqs != null) {
            sqs.close();
        }
        if (sqsServer != null) {
            sqsServer.stopAndWait();
        }
    }

    @Test
    @Order(1)
    void aMarkersEventStartsOneRunWhicheverPathSeesTheMarkerFirst() throws Exception {
        MnistUploads.uploadAll(caravan.store(), DATA);
        caravan.store().put(DATA.resolve("_SUCCESS"), new byte[0]);

        HttpResponse<String> answer = notify(event("tfmnist", "data/mnist/_SUCCESS"), token());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        JsonNode marker = json.readTree(answer.body()).path("markers").get(0);
        assertThat(marker.path("pipeline").asText()).isEqualTo("mnist");
        // A poll of the marker may race the notification: then one of the two finds the snapshot's run RUNNING.
        assertThat(marker.path("result").asText()).isIn("STARTED", "RUNNING", "seen before: its run was asked for already");
        Run run = caravan.awaitEndedRuns(1).get(0);
        Thread.sleep(Duration.ofSeconds(5).toMillis()); // two polls of the marker route
        assertThat(caravan.runs()).hasSize(1);
        assertThat(caravan.events().of(RunEvent.Skipped.class)).isEmpty();
        assertThat(run.trigger()).isEqualTo("upload");

        HttpResponse<String> again = notify(event("tfmnist", "data/mnist/_SUCCESS"), token());
        assertThat(json.readTree(again.body()).path("markers").get(0).path("result").asText())
                .isEqualTo("seen before: its run was asked for already");
    }

    @Test
    @Order(2)
    void aMarkersEventThroughSqsStartsOneRunAndLeavesTheQueueEmpty() throws Exception {
        caravan.store().put(DATA.resolve("README.txt"), "the second upload".getBytes());
        caravan.store().put(DATA.resolve("_SUCCESS"), "again".getBytes());

        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event("tfmnist", "data/mnist/_SUCCESS")));

        List<Run> runs = caravan.awaitEndedRuns(2);
        Thread.sleep(Duration.ofSeconds(5).toMillis()); // two polls of the marker route
        assertThat(caravan.runs()).hasSize(2);
        assertThat(runs.get(0).snapshot()).isNotEqualTo(runs.get(1).snapshot());
        assertThat(caravan.events().of(RunEvent.Skipped.class)).isEmpty();
        assertThat(queued()).as("messages left in the queue or in flight").isZero();
    }

    @Test
    @Order(3)
    void aQueueMessageThatIsNoNotificationIsDroppedNotRetriedForever() {
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("hello"));
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(
                "{\"Service\": \"Amazon S3\", \"Event\": \"s3:TestEvent\", \"Bucket\": \"tfmnist\"}"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(queued()).isZero());
        assertThat(caravan.runs()).hasSize(2);
    }

    @Test
    @Order(4)
    void eventsOfOtherObjectsStartNothing() throws Exception {
        HttpResponse<String> answer = notify(event("tfmnist", "data/mnist/train-images-idx3-ubyte.gz"), token());

        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(json.readTree(answer.body()).path("records").asInt()).isEqualTo(1);
        assertThat(json.readTree(answer.body()).path("markers")).isEmpty();
    }

    @Test
    void aBodyThatIsNoNotificationIsABadRequestThatSaysWhy() throws Exception {
        HttpResponse<String> answer = notify("{\"hello\": 1}", token());

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(json.readTree(answer.body()).path("detail").asText()).contains("Records array");
    }

    @Test
    void aNotificationWithoutTheTokenIsRefused() throws Exception {
        HttpResponse<String> answer = notify(event("tfmnist", "data/mnist/_SUCCESS"), null);

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).contains("api-token");
    }

    private static int queued() {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    /** A notification as MinIO's webhook target sends it (AWS S3 event message structure 2.1, plus EventName). */
    private static String event(String bucket, String key) {
        return """
                {"EventName": "s3:ObjectCreated:Put", "Key": "%1$s/%2$s", "Records": [{"eventVersion": "2.0",
                 "eventSource": "minio:s3", "eventTime": "2026-12-05T08:00:00.000Z", "eventName": "s3:ObjectCreated:Put",
                 "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": "%1$s", "arn": "arn:aws:s3:::%1$s"},
                 "object": {"key": "%3$s", "size": 0, "eTag": "d41d8cd98f00b204e9800998ecf8427e"}}}]}"""
                .formatted(bucket, key, key.replace("/", "%2F"));
    }

    private static String token() throws Exception {
        return Files.readString(home.resolve("api-token")).trim();
    }

    private static HttpResponse<String> notify(String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + "/api/s3-events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
