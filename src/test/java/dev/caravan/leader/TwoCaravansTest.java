package dev.caravan.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.core.env.Environment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunEvent;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;
import dev.caravan.testutil.Postgres;

/**
 * Two Caravans in one JVM on one shared database (H2, then PostgreSQL) and one S3, each with its own home, electing their leader through
 * the database. A request to the one that does not lead is answered QUEUED with the run's name, and the leader runs
 * it; only the leader polls S3 for triggers; both answer {@code GET /api/runs/{run}} alike; when the leader stops mid-training, the other takes the run
 * over, adopts the trainer that kept running, and completes the run with a single training.
 */
class TwoCaravansTest {

    private static final String TOKEN = "two-caravans-token-0123456789";
    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/mnist/");
    /** The S3 trigger of pipeline {@code mnist}, a leader-only route. */
    private static final String MARKER_ROUTE = "retrain-on-marker-mnist";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedS3 s3;
    private CaravanInstance first;
    private CaravanInstance second;

    @AfterEach
    void stopAll() {
        for (AutoCloseable closeable : new AutoCloseable[] {second, first, s3}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // the others still close
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void theLeaderRunsWhatTheOtherTookAndTheOtherFinishesItWhenTheLeaderStopsMidTraining(String kind) throws Exception {
        // given: one S3, one database, a run folder both Caravans share, and two Caravans: the first one leads
        Path shared = CaravanTestProperties.newHome();
        s3 = EmbeddedS3.start(shared.resolve("s3"), "127.0.0.1", 0, "AKIDTWOCARAVANS", "two-caravans-secret-key");
        List<String> database = database(kind);
        first = start(shared, database, "caravan");
        await().atMost(Duration.ofSeconds(20)).until(() -> first.bean(Leadership.class).isLeader());
        second = start(shared, database, "caravan-second");
        try (ObjectStore store = ObjectStore.connect(s3.settings())) {
            MnistUploads.uploadAll(store, DATA);
        }
        assertThat(second.bean(Leadership.class).isLeader()).isFalse();
        await().atMost(Duration.ofSeconds(20)).until(() -> status(first, MARKER_ROUTE) == ServiceStatus.Started);
        assertThat(status(second, MARKER_ROUTE)).isEqualTo(ServiceStatus.Stopped);

        // when: a run is asked of the Caravan that does not lead
        JsonNode submission = post(second, "/api/runs", "{\"pipeline\": \"mnist\"}");

        // then: it is queued under its name, and the leader starts that very run and trains it
        String run = submission.path("run").asText();
        assertThat(submission.path("admission").asText()).isEqualTo("QUEUED");
        await().atMost(Duration.ofMinutes(2)).until(() -> trainerLog(shared, run), log -> log != null
                && contains(log, "CARAVAN_PROGRESS"));
        assertThat(first.events().of(RunEvent.RunStarted.class)).extracting(RunEvent.RunStarted::run).containsExactly(run);
        assertThat(second.events().of(RunEvent.RunStarted.class)).isEmpty();

        // and both answer the same about it, from the shared database
        JsonNode fromFirst = get(first, "/api/runs/" + run);
        JsonNode fromSecond = get(second, "/api/runs/" + run);
        assertThat(fromSecond.path("run")).isEqualTo(fromFirst.path("run"));
        assertThat(fromSecond.path("run").path("status").asText()).isEqualTo("STARTED");
        assertThat(steps(fromSecond)).isEqualTo(steps(fromFirst));

        // when: the leader stops while it trains
        first.close();
        first = null;

        // then: the other leads, resumes the run, adopts the trainer, and completes the run with one training
        await().atMost(Duration.ofSeconds(20)).until(() -> second.bean(Leadership.class).isLeader());
        await().atMost(Duration.ofSeconds(20)).until(() -> status(second, MARKER_ROUTE) == ServiceStatus.Started);
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                .until(() -> get(second, "/api/runs/" + run).path("run").path("endedAt").isTextual());
        Run done = second.runs().stream().filter(r -> r.name().equals(run)).findFirst().orElseThrow();
        assertThat(done.status()).as(done.message()).isEqualTo("COMPLETED");
        assertThat(done.outcome()).isEqualTo("PROMOTED");
        assertThat(second.runs()).hasSize(1);
        assertThat(Files.readAllLines(trainerLog(shared, run)).stream()
                .filter(line -> line.contains("starting the trainer of run")).count())
                .as("trainer starts in " + trainerLog(shared, run)).isEqualTo(1);
        JobExplorer jobs = second.bean(JobExplorer.class);
        assertThat(jobs.getJobInstances("retrain", 0, 10)).hasSize(1);
        assertThat(second.events().of(RunEvent.RunStarted.class)).extracting(RunEvent.RunStarted::run).containsExactly(run);
        assertThat(steps(get(second, "/api/runs/" + run))).allMatch(step -> step.endsWith("COMPLETED"));
    }

    /** The settings of one database both Caravans share: an H2 in this JVM's memory, or a real PostgreSQL. */
    private static List<String> database(String kind) {
        return kind.equals("H2") ? List.of("--spring.datasource.url=jdbc:h2:mem:caravan-" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1") : List.of(Postgres.arguments(Postgres.newDatabase()));
    }

    private CaravanInstance start(Path shared, List<String> database, String scheduler) {
        Path home = CaravanTestProperties.newHome();
        List<String> settings = new ArrayList<>(database);
        settings.addAll(List.of(
                // Quartz names its schedulers JVM-wide: the second Caravan in this JVM needs another name.
                "--spring.quartz.scheduler-name=" + scheduler,
                "--caravan.s3.endpoint=" + s3.settings().endpoint(), "--caravan.s3.access-key-id=AKIDTWOCARAVANS",
                "--caravan.s3.secret-access-key=two-caravans-secret-key",
                "--caravan.training.runs-dir=" + shared.resolve("runs"), "--caravan.api.token=" + TOKEN,
                "--caravan.leader.queue-poll=200ms", "--caravan.leader.retry-period=200ms",
                "--caravan.pipelines.mnist.trainer.parameters.trainSteps=400",
                "--caravan.pipelines.mnist.trainer.parameters.batchSize=50", "--caravan.pipelines.mnist.gate.min=0.8"));
        return CaravanInstance.start(home, settings.toArray(String[]::new));
    }

    private static ServiceStatus status(CaravanInstance caravan, String route) {
        return caravan.bean(CamelContext.class).getRouteController().getRouteStatus(route);
    }

    private JsonNode get(CaravanInstance caravan, String path) throws IOException, InterruptedException {
        return send(caravan, HttpRequest.newBuilder(uri(caravan, path)).GET());
    }

    private JsonNode post(CaravanInstance caravan, String path, String body) throws IOException, InterruptedException {
        return send(caravan, HttpRequest.newBuilder(uri(caravan, path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private JsonNode send(CaravanInstance caravan, HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isLessThan(300);
        return JSON.readTree(response.body());
    }

    private static URI uri(CaravanInstance caravan, String path) {
        return URI.create("http://127.0.0.1:" + caravan.bean(Environment.class).getProperty("local.server.port") + path);
    }

    /** Each step as "name STATUS". */
    private static List<String> steps(JsonNode view) {
        List<String> steps = new ArrayList<>();
        view.path("steps").forEach(step -> steps.add(step.path("name").asText() + " " + step.path("status").asText()));
        return steps;
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.readString(file).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static Path trainerLog(Path shared, String run) throws IOException {
        Path log = shared.resolve("runs").resolve(run).resolve("trainer.log");
        return Files.exists(log) ? log : null;
    }
}
