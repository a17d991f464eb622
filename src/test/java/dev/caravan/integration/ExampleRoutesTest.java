package dev.caravan.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunStore;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;

/** The example routes in routes/: the webhook, the file drop and the notifier, each doing its job for real. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExampleRoutesTest {

    private static final String TOKEN = "test-token-0123456789";
    private static final List<String> notified = new CopyOnWriteArrayList<>();
    private static final HttpServer receiver = startReceiver();
    private static final Path inbox = CaravanTestProperties.newHome().resolve("inbox");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CaravanTestProperties.register(registry);
        registry.add("caravan.integration.webhook-token", () -> TOKEN);
        registry.add("caravan.integration.inbox", inbox::toString);
        registry.add("caravan.integration.notify-url",
                () -> "http://127.0.0.1:" + receiver.getAddress().getPort() + "/runs");
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop(0);
    }

    @LocalServerPort
    int port;

    @Autowired
    RunStore runs;

    @Autowired
    ObjectStore store;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    @Order(1)
    void theWebhookRefusesRequestsWithoutTheToken() throws Exception {
        HttpResponse<String> none = post(null, "");
        HttpResponse<String> wrong = post("Bearer nope", "");

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json.readTree(none.body()).path("detail").asText()).contains("CARAVAN_WEBHOOK_TOKEN");
        assertThat(runs.list(10)).isEmpty();
    }

    @Test
    @Order(2)
    void theWebhookAnswersABadBodyWithTheReason() throws Exception {
        HttpResponse<String> bad = post("Bearer " + TOKEN, "{\"epochs\": 3}");

        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json.readTree(bad.body()).path("detail").asText()).contains("unknown parameter 'epochs'; this pipeline's trainer takes [trainSteps, batchSize, learningRate, learningRateSchedule, workers, ps, syncReplicas]");
        assertThat(runs.list(10)).isEmpty();
    }

    @Test
    @Order(2)
    void theWebhookReadsTheBodyAsJsonWhateverItsContentTypeAndAnswersJson() throws Exception {
        // curl -d sends its data as a form, and some clients send no Content-Type at all
        for (String contentType : new String[] {"application/x-www-form-urlencoded", "text/plain", null}) {
            HttpResponse<String> bad = post("Bearer " + TOKEN, "{\"epochs\": 3}", contentType);

            assertThat(bad.statusCode()).as(contentType + ": " + bad.body()).isEqualTo(400);
            assertThat(bad.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                    .startsWith("application/problem+json"));
            assertThat(json.readTree(bad.body()).path("detail").asText()).contains("unknown parameter 'epochs'");
        }
        assertThat(runs.list(10)).isEmpty();
    }

    @Test
    @Order(2)
    void anUnknownPathIsAnsweredAsProblemJsonNotAnHtmlPage() throws Exception {
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/no/such/page")).header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json.readTree(missing.body()).path("status").asInt()).isEqualTo(404);
        assertThat(missing.body()).contains("/no/such/page");
    }

    @Test
    @Order(3)
    void theWebhookStartsARunAndTheNotifierPostsItsResult() throws Exception {
        HttpResponse<String> accepted = post("Bearer " + TOKEN, "{\"trainSteps\": 3}");

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode answer = json.readTree(accepted.body());
        assertThat(answer.path("admission").asText()).isEqualTo("STARTED");
        String run = answer.path("run").asText();
        await().atMost(Duration.ofMinutes(2)).until(() -> runs.find(run).map(Run::endedAt).isPresent());
        // the bucket is empty, so the run fails at validation: its result is posted all the same
        await().atMost(Duration.ofMinutes(1)).until(() -> notified.stream().anyMatch(body -> body.contains(run)));
        JsonNode posted = json.readTree(notified.stream().filter(body -> body.contains(run)).findFirst().orElseThrow());
        assertThat(posted.path("type").asText()).isEqualTo("run.failed");
        assertThat(posted.path("run").asText()).isEqualTo(run);
        assertThat(posted.path("message").asText()).startsWith("validateData:");
    }

    @Test
    @Order(4)
    void filesDroppedInTheInboxAreUploadedAndTheMarkerTriggersARun() throws IOException {
        int before = runs.list(100).size();
        Files.createDirectories(inbox);
        Files.write(inbox.resolve("t10k-labels-idx1-ubyte.gz"), MnistUploads.read("t10k-labels-idx1-ubyte.gz"));
        Files.write(inbox.resolve("t10k-images-idx3-ubyte.gz"), MnistUploads.read("t10k-images-idx3-ubyte.gz"));
        Files.write(inbox.resolve("_SUCCESS"), new byte[0]);

        S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
        await().atMost(Duration.ofMinutes(1)).until(() -> store.exists(data.resolve("_SUCCESS")));
        assertThat(store.exists(data.resolve("t10k-labels-idx1-ubyte.gz"))).isTrue();
        assertThat(store.exists(data.resolve("t10k-images-idx3-ubyte.gz"))).isTrue();
        await().atMost(Duration.ofMinutes(2)).until(() -> runs.list(100).size() == before + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(inbox.resolve("t10k-labels-idx1-ubyte.gz")));
    }

    private HttpResponse<String> post(String authorization, String body) throws Exception {
        return post(authorization, body, "application/json");
    }

    private HttpResponse<String> post(String authorization, String body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hooks/retrain"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpServer startReceiver() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/runs", exchange -> {
                notified.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
