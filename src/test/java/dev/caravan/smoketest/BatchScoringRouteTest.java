package dev.caravan.smoketest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.testutil.TestServer;
import dev.caravan.testutil.CaravanTestProperties;

/**
 * routes/example-batch-scoring.camel.yaml as shipped, with the errors route it refers to: files dropped in the
 * scoring inbox are answered line by line over gRPC by a model the test serves itself.
 */
@CamelSpringBootTest
@SpringBootTest(classes = BatchScoringRouteTest.Beans.class)
class BatchScoringRouteTest {

    private static final Path HOME = CaravanTestProperties.newHome();
    private static final Path INBOX = HOME.resolve("scoring/in");
    private static final Path OUTBOX = HOME.resolve("scoring/out");
    private static TestServer server;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String routes = "file:" + Path.of("routes").toAbsolutePath();
        registry.add("camel.main.routes-include-pattern",
                () -> routes + "/errors.camel.yaml," + routes + "/example-batch-scoring.camel.yaml");
        registry.add("caravan.integration.scoring-inbox", INBOX::toString);
        registry.add("caravan.integration.scoring-outbox", OUTBOX::toString);
        registry.add("caravan.integration.scoring-model", () -> TestServer.MODEL);
    }

    @BeforeAll
    static void serveTheTestModel() {
        server = TestServer.start(HOME.resolve("model"));
    }

    @AfterAll
    static void stopServing() {
        server.close();
    }

    @Autowired
    CamelContext camel;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aFileOfRequestsIsAnsweredLineByLineAndARefusedLineWithItsError() throws IOException {
        NotifyBuilder scored = answered();
        List<SampleDigit> digits = SampleDigits.load();
        String seven = SmokeSamples.imageRequest(digits.get(0).pixels(), MnistShape.ROWS, MnistShape.COLUMNS);
        String two = SmokeSamples.imageRequest(digits.get(1).pixels(), MnistShape.ROWS, MnistShape.COLUMNS);

        drop("digits.jsonl", seven + "\n\n" + two + "\n{\"instances\": [[1, 2]]}\n");

        assertThat(scored.matches(1, TimeUnit.MINUTES)).isTrue();
        List<String> answers = Files.readAllLines(OUTBOX.resolve("digits.jsonl"));
        assertThat(answers).hasSize(3);
        JsonNode first = json.readTree(answers.get(0)).path("predictions");
        assertThat(first).hasSize(1);
        assertThat(first.get(0).path("classes").asInt()).isEqualTo(7);
        assertThat(first.get(0).path("predictions")).hasSize(10);
        assertThat(json.readTree(answers.get(1)).path("predictions").get(0).path("classes").asInt()).isEqualTo(2);
        assertThat(json.readTree(answers.get(2)).path("error").asText()).contains("input 'x' has shape [1,2]");
        assertThat(INBOX.resolve(".done/digits.jsonl")).exists();
    }

    @Test
    void aPictureOfADigitIsAnsweredToo() throws IOException {
        NotifyBuilder scored = answered();
        Path png = Pictures.png(SampleDigits.load().get(0).pixels(), 4, true, HOME.resolve("seven.png"));

        drop("seven.png", Files.readAllBytes(png));

        assertThat(scored.matches(1, TimeUnit.MINUTES)).isTrue();
        List<String> answers = Files.readAllLines(OUTBOX.resolve("seven.jsonl"));
        assertThat(answers).hasSize(1);
        assertThat(json.readTree(answers.get(0)).path("predictions").get(0).path("classes").asInt()).isEqualTo(7);
    }

    @Test
    void aFileIsSetAsideWhenTheModelIsNotServed() throws IOException {
        NotifyBuilder failed = new NotifyBuilder(camel).fromRoute("example-batch-scoring").whenFailed(1).create();
        server.backend().stop(TestServer.MODEL);
        try {
            drop("later.jsonl", SmokeSamples.imageRequest(SampleDigits.load().get(0).pixels(), MnistShape.ROWS,
                    MnistShape.COLUMNS) + "\n");

            assertThat(failed.matches(1, TimeUnit.MINUTES)).isTrue();
            // The file component moves a failed file when the exchange completes, just after it failed.
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(INBOX.resolve(".failed/later.jsonl")));
            assertThat(OUTBOX.resolve("later.jsonl")).doesNotExist();
        } finally {
            server.backend().serveDirectory(TestServer.MODEL, 1, server.modelDir());
        }
    }

    // The file's own exchange, which writes the answers; the split's exchanges, one per line, are done before it.
    private NotifyBuilder answered() {
        return new NotifyBuilder(camel).fromRoute("example-batch-scoring").wereSentTo("file:*").whenDone(1).create();
    }

    private static void drop(String name, String content) throws IOException {
        drop(name, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // Written beside the inbox, then moved in: the route never sees half a file.
    private static void drop(String name, byte[] content) throws IOException {
        Files.createDirectories(INBOX);
        Path written = Files.write(HOME.resolve(name + ".part"), content);
        Files.move(written, INBOX.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Camel with the prediction-service route and the scoring steps, reaching the test's own model server. */
    // Not a @Configuration: benchmarks run Caravan with the test classes on the class path, and its component scan
    // must not find this context's beans.
    @ImportAutoConfiguration(CamelAutoConfiguration.class)
    static class Beans {

        @Bean
        PredictionServiceRoute predictionServiceRoute() {
            return new PredictionServiceRoute();
        }

        @Bean
        PredictionServiceDeadline predictionServiceDeadline() {
            return new PredictionServiceDeadline(Duration.ofSeconds(10));
        }

        @Bean
        ServingBackend serving() {
            return server.backend();
        }

        @Bean
        BatchScoring batchScoring(ProducerTemplate producer, ServingBackend serving, PredictionServiceDeadline deadline) {
            return new BatchScoring(new ModelServerClient(producer, serving, deadline));
        }
    }
}
