package dev.caravan.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import dev.caravan.cli.CaravanCommand;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.serving.ServingBackend;
import dev.caravan.smoketest.PredictClient;
import dev.caravan.smoketest.SampleDigits;
import dev.caravan.snapshot.Snapshot;
import dev.caravan.snapshot.SnapshotStore;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;
import dev.caravan.testutil.RecordedRunEvents;

/**
 * The whole local pipeline through its real parts: an upload with the AWS SDK into the embedded S3 server, the
 * trigger route, the retrain job with a real (short) training in a child JVM, promotion to the model server and a
 * gRPC Predict. Then what must not happen: a second run for the same data, and a failed run taking serving down.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(RecordedRunEvents.class)
@AutoConfigureObservability
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetrainPipelineTest {

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    private static Path home;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        home = CaravanTestProperties.register(registry);
        // Versions here are judged by the gate's minimum alone; how a new version compares is GateTest's concern.
        registry.add("caravan.pipelines.mnist.gate.tolerance", () -> "1");
    }

    @Autowired
    S3Client s3;

    @Autowired
    ObjectStore store;

    @Autowired
    RunStore runs;

    @Autowired
    RunQueries queries;

    @Autowired
    ModelRegistry registry;

    @Autowired
    ServingBackend serving;

    @Autowired
    RetrainLauncher launcher;

    @Autowired
    RetrainCoordinator coordinator;

    @Autowired
    RecordedRunEvents events;

    @Autowired
    SnapshotStore snapshots;

    @Autowired
    RunOperations operations;

    @Autowired
    PipelineCatalog pipelines;

    @LocalServerPort
    int httpPort;

    private final S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");

    @Test
    @Order(1)
    void anUploadOfManyFilesAndAMarkerTrainsPromotesAndServesOneModel() {
        // given: four IDX files uploaded with the AWS SDK, as any S3 client would
        for (String file : MnistUploads.FILES) {
            s3.putObject(b -> b.bucket("tfmnist").key("data/mnist/" + file),
                    RequestBody.fromFile(MnistUploads.DATA.resolve(file)));
        }
        assertThat(runs.list(10)).isEmpty();

        // when: the marker says the upload is complete
        MnistUploads.marker(store, data);

        // then: exactly one run, promoted, and the model answers over gRPC
        Run run = awaitEnded(1).get(0);
        assertThat(run.outcome()).as(run.message()).isEqualTo("PROMOTED");
        ModelVersion served = registry.serving("mnist").orElseThrow();
        assertThat(served.version()).isEqualTo(1);
        assertThat(served.accuracy()).isGreaterThan(0.85);
        assertThat(serving.servingVersion("mnist")).hasValue(1);
        try (PredictClient client = new PredictClient(serving.endpoint("mnist").host(), serving.endpoint("mnist").grpcPort())) {
            assertThat(client.predict("mnist", OptionalLong.empty(), firstTestImage()).digit()).isEqualTo(7);
        }
        RunView view = queries.get(run.name()).orElseThrow();
        assertThat(view.steps()).extracting(StepView::name).containsExactly(
                "prepare", "validateData", "tensorboard", "train", "evaluate", "promote", "smokeTest");
        assertThat(view.smokeReport()).contains("Your model says the above number is... 7!");
        assertThat(runs.scalars(run.name())).isNotEmpty()
                .allSatisfy(point -> assertThat(point.totalSteps()).as("total steps the trainer reported").isEqualTo(150));
        assertThat(store.list(S3Location.parse("s3://tfmnist/training/" + run.name() + "/")))
                .anyMatch(o -> o.key().contains("events.out.tfevents"));
    }

    @Test
    @Order(2)
    void theSameDataTriggeredAgainDoesNotTrainAgain() {
        MnistUploads.marker(store, data);

        await().atMost(Duration.ofMinutes(1)).until(() -> !events.of(RunEvent.Skipped.class).isEmpty());
        assertThat(events.of(RunEvent.Skipped.class).get(0).reason()).contains("already trained on snapshot");
        assertThat(runs.list(10)).hasSize(1);
    }

    @Test
    @Order(3)
    void badDataFailsTheRunAtValidationAndTheServingModelKeepsAnswering() {
        store.put(data.resolve("train-labels-idx1-ubyte.gz"), MnistUploads.labelsWith(60000, 345, 12));

        MnistUploads.marker(store, data);

        Run failed = awaitEnded(2).get(0);
        assertThat(failed.status()).isEqualTo("FAILED");
        assertThat(failed.message()).startsWith("validateData: s3://tfmnist/data/mnist/train-labels-idx1-ubyte.gz")
                .contains("label 12 at index 345");
        assertThat(registry.serving("mnist").orElseThrow().version()).isEqualTo(1);
        try (PredictClient client = new PredictClient(serving.endpoint("mnist").host(), serving.endpoint("mnist").grpcPort())) {
            assertThat(client.predict("mnist", OptionalLong.empty(), firstTestImage()).digit()).isEqualTo(7);
        }
    }

    @Test
    @Order(4)
    void aModelBelowTheGateIsNotPromoted() {
        store.put(data.resolve("train-labels-idx1-ubyte.gz"), MnistUploads.read("train-labels-idx1-ubyte.gz"));
        String snapshot = runs.list(10).get(1).snapshot();

        var execution = launcher.launch("mnist", snapshot, Map.of("trainSteps", "2"));

        Run rejected = runs.find(RunNames.of(execution.getJobParameters())).orElseThrow();
        assertThat(rejected.outcome()).isEqualTo("REJECTED");
        assertThat(rejected.message()).contains("below the gate's minimum");
        assertThat(registry.find("mnist", rejected.modelVersion()).orElseThrow().state())
                .isEqualTo(ModelVersion.State.REJECTED);
        assertThat(registry.serving("mnist").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    @Order(5)
    void listAndGetShowTheRuns() {
        String server = "--server=http://127.0.0.1:" + httpPort;
        String listed = run("list", server);
        assertThat(listed).contains("NAME", "STATUS", "AGE", "DURATION", "MESSAGE", "PROMOTED", "FAILED");

        String name = runs.list(10).get(runs.list(10).size() - 1).name();
        String shown = run("get", name, server);
        assertThat(shown).contains("STEP", "smokeTest", "COMPLETED", "version 1");
        assertThat(run("get", "mnist-0000000000", server)).contains("no run named 'mnist-0000000000'");
    }

    @Test
    @Order(6)
    void changesThroughTheApiNeedTheToken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(api("/api/runs"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("Authorization: Bearer");
        assertThat(run("models", "--server=http://127.0.0.1:" + httpPort, "--token=wrong")).contains("mnist");
        assertThat(run("rollback", "mnist", "--server=http://127.0.0.1:" + httpPort, "--token=wrong"))
                .contains("the token is not valid");
    }

    @Test
    @Order(7)
    void resubmitTrainsTheSameDataWithOtherSettingsAndWatchesTheRun() {
        String first = runs.list(100).get(runs.list(100).size() - 1).name();

        String watched = cli("resubmit", first, "-p", "trainSteps=160", "-p", "batchSize=40", "--watch");

        Run resubmitted = runs.list(1).get(0);
        assertThat(watched).contains(resubmitted.name(), "smokeTest", "PROMOTED");
        if (watched.contains("  train         [")) {
            assertThat(watched).containsPattern(" \\d+/160  loss").doesNotContainPattern(" \\d+/1  loss");
        }
        assertThat(resubmitted.snapshot()).isEqualTo(runs.find(first).orElseThrow().snapshot());
        assertThat(queries.get(resubmitted.name()).orElseThrow().parameters())
                .containsEntry("trainSteps", "160").containsEntry("batchSize", "40");
        assertThat(registry.serving("mnist").orElseThrow().version()).isEqualTo(4);
    }

    @Test
    @Order(8)
    void rollbackAndPromoteMoveServingBetweenVersions() {
        assertThat(cli("rollback", "mnist")).contains("version 1 of mnist is serving");
        assertThat(serving.servingVersion("mnist")).hasValue(1);

        assertThat(cli("promote", "mnist", "4")).contains("version 4 of mnist is serving");
        assertThat(serving.servingVersion("mnist")).hasValue(4);
        String versions = cli("models", "mnist");
        assertThat(versions).contains("VERSION", "SERVING", "RETIRED", "REJECTED").doesNotContain("CANDIDATE");
        assertThat(cli("models", "-o", "json")).contains("\"servingVersion\" : 4");
    }

    @Test
    @Order(9)
    void secretsAppearInNoAnswerAndNoLog() throws Exception {
        String secret = Files.readAllLines(home.resolve("s3-credentials.properties")).stream()
                .filter(line -> line.startsWith("aws_secret_access_key=")).findFirst().orElseThrow().split("=", 2)[1];
        String token = Files.readString(home.resolve("api-token")).trim();
        String first = runs.list(100).get(runs.list(100).size() - 1).name();

        StringBuilder everything = new StringBuilder(cli("get", first, "-o", "json") + cli("logs", first)
                + cli("list", "-o", "yaml") + cli("models", "mnist", "-o", "json"));
        try (var files = Files.walk(home)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                everything.append(Files.readString(log));
            }
        }

        assertThat(cli("logs", "-f", first)).contains("CARAVAN_PROGRESS");
        assertThat(everything.toString()).contains("CARAVAN_PROGRESS").doesNotContain(secret).doesNotContain(token);
    }

    @Test
    @Order(9)
    void theLogOfAReplicaTheRunDidNotHaveIsNotFoundWithTheReplicasItHad() throws Exception {
        String first = runs.list(100).get(runs.list(100).size() - 1).name();

        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        api("/api/runs/" + first + "/logs?replica=worker-5")).header("Accept", "text/plain").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(404);
        assertThat(answer.body()).contains("has no log of replica 'worker-5'", "its replicas with logs are");
    }

    @Test
    @Order(10)
    void healthMetricsAndTheOpenApiDescriptionAreServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();

        String readiness = http.send(HttpRequest.newBuilder(api("/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String metrics = http.send(HttpRequest.newBuilder(api("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String openapi = http.send(HttpRequest.newBuilder(api("/api/openapi")).build(),
                HttpResponse.BodyHandlers.ofString()).body();

        assertThat(readiness).contains("\"UP\"");
        assertThat(metrics).contains("caravan_runs_total{model=\"mnist\",outcome=\"PROMOTED\"",
                "caravan_step_duration_seconds_count{model=\"mnist\",",
                "caravan_trigger_lag_seconds_count",
                "caravan_serving_latency_seconds_count{api=\"grpc\",model=\"mnist\",outcome=\"ok\"}",
                "caravan_serving_latency_seconds_bucket{api=\"grpc\",model=\"mnist\",outcome=\"ok\",le=\"0.001\"");
        assertThat(openapi).contains("/api/runs", "/api/models/{name}/rollback");
    }

    @Test
    @Order(11)
    void stopEndsATrainingAtOnceAndDropsTheRunThatWaited() throws Exception {
        // given: a long training under way, and another run of the model waiting behind it
        String going = runOf(cli("submit", "-p", "trainSteps=100000", "-o", "json"));
        await().atMost(RUN_TIMEOUT).until(() -> !runs.scalars(going).isEmpty());
        long trainer = Long.parseLong(Files.readAllLines(home.resolve("runs").resolve(going).resolve("trainer.pid"))
                .stream().filter(line -> line.startsWith("pid=")).findFirst().orElseThrow().substring(4));
        String waiting = runOf(cli("submit", "-p", "trainSteps=100001", "-o", "json"));

        // when
        String dropped = cli("stop", waiting);
        String stopped = cli("stop", going, "--wait");

        // then: the trainer is gone, the run is STOPPED with where it stopped, the waiting one never starts
        assertThat(dropped).contains("run " + waiting + " was waiting", "it will not start");
        assertThat(stopped).contains("the training of run " + going + " was stopped", going + ": STOPPED STOPPED");
        assertThat(ProcessHandle.of(trainer).filter(ProcessHandle::isAlive)).isEmpty();
        Run run = runs.find(going).orElseThrow();
        assertThat(run.status()).isEqualTo("STOPPED");
        assertThat(run.message()).startsWith("train: stopped by a request through the API; the training was stopped at"
                + " step ").endsWith(" of 100000");
        assertThat(queries.get(going).orElseThrow().steps()).extracting(StepView::name).containsExactly(
                "prepare", "validateData", "tensorboard", "train");
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.idle("mnist"));
        Run never = runs.find(waiting).orElseThrow();
        assertThat(never.status()).isEqualTo("DROPPED");
        assertThat(never.message()).isEqualTo("stopped by a request through the API before it started");
        assertThat(registry.byRun(going).orElseThrow().state()).as("the version of a stopped run is no candidate")
                .isEqualTo(ModelVersion.State.REJECTED);
        assertThat(serving.servingVersion("mnist")).hasValue(4);
        assertThat(cli("stop", going)).contains("run " + going + " is not going (STOPPED STOPPED)");
    }

    @Test
    @Order(12)
    void aModelOfOlderDataIsNotPromotedOverOneOfNewerData() throws Exception {
        // given: a run on today's data, stopped while it trains; then newer data trains and serves
        Snapshot older = operations.freeze(pipelines.resolve("mnist"));
        String late = operations.submit(pipelines.resolve("mnist"), older, Map.of("trainSteps", "152"), "test").run();
        await().atMost(RUN_TIMEOUT).until(() -> queries.get(late).orElseThrow().steps().stream()
                .anyMatch(step -> step.name().equals("train")));
        operations.stop(late, "test");
        await().atMost(RUN_TIMEOUT).until(() -> runs.find(late).orElseThrow().endedAt() != null);
        store.put(data.resolve("notes.txt"), "the second drop".getBytes());
        MnistUploads.marker(store, data);
        Run newer = await().atMost(RUN_TIMEOUT).until(() -> runs.list(1).get(0),
                run -> run.endedAt() != null && !run.snapshot().equals(older.hash()));
        assertThat(newer.outcome()).as(newer.message()).isEqualTo("PROMOTED");

        // when: the run on the older data goes on and passes its gate after that
        operations.retry(late);
        Run superseded = await().atMost(RUN_TIMEOUT).until(() -> runs.find(late).orElseThrow(),
                run -> run.endedAt() != null && !"QUEUED".equals(run.status()));

        // then: it is kept as a candidate, the newer version goes on serving, and a person may still promote it
        assertThat(superseded.outcome()).as(superseded.message()).isEqualTo("SUPERSEDED");
        assertThat(superseded.status()).isEqualTo("COMPLETED");
        assertThat(superseded.message()).contains("version " + newer.modelVersion() + " serves, trained on newer data",
                "'caravan promote mnist " + superseded.modelVersion() + "' serves it anyway");
        assertThat(registry.serving("mnist").orElseThrow().version()).isEqualTo(newer.modelVersion());
        assertThat(registry.find("mnist", superseded.modelVersion()).orElseThrow().state())
                .isEqualTo(ModelVersion.State.CANDIDATE);
        cli("promote", "mnist", String.valueOf(superseded.modelVersion()));
        assertThat(registry.serving("mnist").orElseThrow().version()).isEqualTo(superseded.modelVersion());
    }

    private static String runOf(String submission) throws java.io.IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(submission).path("run").asText();
    }

    private String cli(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--server=http://127.0.0.1:" + httpPort;
        try {
            all[args.length + 1] = "--token=" + Files.readString(home.resolve("api-token")).trim();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return run(all);
    }

    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintWriter writer = new PrintWriter(bytes, true);
        CommandLine command = CaravanCommand.commandLine();
        command.setOut(writer);
        command.setErr(writer);
        command.execute(args);
        return bytes.toString();
    }

    private List<Run> awaitEnded(int count) {
        await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(
                () -> runs.list(100).size() >= count && runs.list(100).get(0).endedAt() != null);
        assertThat(runs.list(100)).hasSize(count);
        return runs.list(100);
    }

    private static float[] firstTestImage() {
        return SampleDigits.load().get(0).pixels();
    }
}
