package dev.caravan.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.cli.CaravanCommand;
import dev.caravan.pipeline.Run;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;

/**
 * What the dashboard reads, on a whole Caravan that retrains on an upload: run and model events as they happen, the
 * log as events, the evaluation with its confusion matrix, the model's history, paging and the way the CLI finds the
 * token of the Caravan it talks to.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveApiTest {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/mnist/");
    private static final List<String> STEPS = List.of("prepare", "validateData", "tensorboard", "train", "evaluate",
            "promote", "smokeTest");

    private static final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper json = new ObjectMapper();
    private static final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private static Path home;
    private static CaravanInstance caravan;
    private static String api;
    private static CompletableFuture<?> stream;
    private static Run run;

    @BeforeAll
    static void retrainOnAnUpload() throws Exception {
        home = CaravanTestProperties.newHome();
        caravan = CaravanInstance.start(home, "--caravan.pipelines.mnist.gate.min=0.5",
                "--caravan.pipelines.mnist.trainer.parameters.trainSteps=120");
        api = "http://127.0.0.1:" + caravan.bean(org.springframework.core.env.Environment.class)
                .getProperty("local.server.port");
        stream = http.sendAsync(HttpRequest.newBuilder(URI.create(api + "/api/events")).build(),
                HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> response.body()
                .filter(line -> line.startsWith("data:")).forEach(line -> events.add(line.substring(5))));
        await().atMost(Duration.ofSeconds(10)).until(() -> !caravan.bean(EventController.class).isIdle());
        MnistUploads.uploadAll(caravan.store(), DATA);
        MnistUploads.marker(caravan.store(), DATA);
        run = caravan.awaitEndedRuns(1).get(0);
    }

    @AfterAll
    static void stop() {
        if (stream != null) {
            stream.cancel(true);
        }
        if (caravan != null) {
            caravan.close();
        }
    }

    @Test
    @Order(1)
    void eventsTellEachStepAsItFinishesWithItsDurationThenTheRunAndThePromotion() throws Exception {
        assertThat(run.outcome()).isEqualTo("PROMOTED");
        await().atMost(Duration.ofSeconds(5)).until(() -> parsed().stream().anyMatch(e -> type(e).equals("Promoted")));
        List<JsonNode> received = parsed();
        List<String> finished = received.stream().filter(e -> type(e).equals("StepFinished"))
                .map(e -> e.path("step").asText()).toList();
        assertThat(finished).containsExactlyElementsOf(STEPS);
        assertThat(received).filteredOn(e -> type(e).equals("StepFinished"))
                .allSatisfy(e -> assertThat(e.path("durationMs").isNumber()).isTrue())
                .allSatisfy(e -> assertThat(e.path("run").asText()).isEqualTo(run.name()));
        assertThat(received).filteredOn(e -> type(e).equals("TrainingProgressed"))
                .isNotEmpty().allSatisfy(e -> assertThat(e.path("step").asInt()).isPositive());
        JsonNode promoted = received.stream().filter(e -> type(e).equals("Promoted")).findFirst().orElseThrow();
        assertThat(promoted.path("version").asLong()).isEqualTo(run.modelVersion());
    }

    @Test
    @Order(2)
    void theRunListIsPagedWithItsTotalAndSaysWhatTriggeredEachRun() throws Exception {
        HttpResponse<String> page = get("/api/runs?limit=1&offset=0");

        assertThat(page.headers().firstValue("X-Total-Count")).contains("1");
        assertThat(json.readTree(page.body()).get(0).path("trigger").asText()).isEqualTo("upload");
        assertThat(json.readTree(get("/api/runs?limit=1&offset=1").body())).isEmpty();
    }

    @Test
    @Order(3)
    void aRunShowsItsSnapshotAndHowToOpenItsTensorBoard() throws Exception {
        JsonNode view = json.readTree(get("/api/runs/" + run.name()).body());

        assertThat(view.path("snapshotInfo").path("hash").asText()).isEqualTo(run.snapshot());
        assertThat(view.path("snapshotInfo").path("objects").asInt()).isEqualTo(MnistUploads.FILES.size());
        assertThat(view.path("snapshotInfo").path("bytes").asLong()).isEqualTo(MnistUploads.FILES.stream()
                .mapToLong(file -> MnistUploads.read(file).length).sum());
        assertThat(view.path("tensorboard").path("command").asText()).startsWith("tensorboard --logdir ");
    }

    @Test
    @Order(4)
    void theEvaluationHoldsTheGateVerdictTheConfusionMatrixAndMisclassifiedImages() throws Exception {
        JsonNode evaluation = json.readTree(get("/api/runs/" + run.name() + "/evaluation").body());

        assertThat(evaluation.path("gate").path("passed").asBoolean()).isTrue();
        assertThat(evaluation.path("gate").path("reason").asText()).isNotBlank();
        JsonNode confusion = evaluation.path("confusion");
        assertThat(confusion).hasSize(10);
        int total = 0;
        int diagonal = 0;
        for (int row = 0; row < 10; row++) {
            for (int column = 0; column < 10; column++) {
                total += confusion.get(row).get(column).asInt();
            }
            diagonal += confusion.get(row).get(row).asInt();
        }
        assertThat(total).isEqualTo(10_000);
        assertThat(evaluation.path("accuracy").asDouble()).isCloseTo(diagonal / 10_000.0, org.assertj.core.data.Offset.offset(1e-9));
        JsonNode wrong = evaluation.path("misclassified");
        assertThat(wrong).hasSizeBetween(1, 24);
        for (JsonNode miss : wrong) {
            assertThat(miss.path("label").asInt()).isNotEqualTo(miss.path("predicted").asInt());
            String image = miss.path("image").asText();
            assertThat(image).startsWith("data:image/png;base64,");
            byte[] png = Base64.getDecoder().decode(image.substring(image.indexOf(',') + 1));
            assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)).getWidth()).isEqualTo(28);
        }
    }

    @Test
    @Order(5)
    void aRunWithoutAnEvaluationIsNotFoundAndSaysWhy() throws Exception {
        HttpResponse<String> none = get("/api/runs/nope/evaluation");

        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.body()).contains("no run named 'nope'");
    }

    @Test
    @Order(6)
    void theLogStreamsLineByLineAndEndsWithTheRunsStatus() throws Exception {
        List<String> lines = http.send(HttpRequest.newBuilder(URI.create(api + "/api/runs/" + run.name()
                + "/logs/stream")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofLines())
                .body().toList();

        assertThat(lines).anyMatch(line -> line.startsWith("data:") && line.contains("test accuracy"));
        int end = lines.indexOf("event:end");
        assertThat(end).isPositive();
        assertThat(lines.get(end + 1)).isEqualTo("data:COMPLETED");
    }

    @Test
    @Order(7)
    void theCliFindsTheTokenOfTheCaravanItTalksToAndTheRollbackShowsInTheHistory() throws Exception {
        String second = resubmitAndAwait();
        assertThat(Files.exists(home.resolve("api-token"))).isTrue();

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CaravanCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("rollback", "mnist", "--server", api);

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("version " + run.modelVersion() + " of mnist is serving");
        JsonNode history = json.readTree(get("/api/models/mnist/history").body());
        assertThat(StreamSupport.stream(history.spliterator(), false).map(e -> e.path("action").asText()).toList())
                .containsExactly("promoted", "promoted", "rolledBack");
        assertThat(history.get(0).path("by").asText()).isEqualTo("run " + run.name());
        assertThat(history.get(1).path("run").asText()).isEqualTo(second);
        assertThat(history.get(2).path("version").asLong()).isEqualTo(run.modelVersion());
        assertThat(history.get(2).path("fromVersion").asLong()).isEqualTo(run.modelVersion() + 1);
        assertThat(json.readTree(get("/api/info").body()).path("home").asText()).isEqualTo(home.toAbsolutePath().toString());
    }

    private static String resubmitAndAwait() throws Exception {
        String token = Files.readString(home.resolve("api-token")).trim();
        HttpResponse<String> resubmitted = http.send(HttpRequest.newBuilder(URI.create(api + "/api/runs/" + run.name()
                + "/resubmit")).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\": {\"trainSteps\": \"160\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(resubmitted.statusCode()).as(resubmitted.body()).isEqualTo(202);
        List<Run> runs = caravan.awaitEndedRuns(2);
        assertThat(runs).allSatisfy(r -> assertThat(r.outcome()).isEqualTo("PROMOTED"));
        return runs.stream().filter(r -> !r.name().equals(run.name())).findFirst().orElseThrow().name();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(api + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<JsonNode> parsed() {
        synchronized (events) {
            return events.stream().map(LiveApiTest::read).toList();
        }
    }

    private static JsonNode read(String data) {
        try {
            return json.readTree(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String type(JsonNode event) {
        return event.path("type").asText();
    }
}
