package dev.caravan.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.serving.testutil.TestServer;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.MnistUploads;
import dev.caravan.testutil.Pipelines;

/**
 * A pipeline's smoke test as a run does it: samples read from the pipeline's S3 object when the test runs, or for an
 * mnist-idx pipeline without one, the first ten test images of the run's snapshot.
 */
class PipelineSamplesTest {

    private static final S3Location SAMPLES = S3Location.parse("s3://tfmnist/smoke/samples.jsonl");
    private static final S3Location DATA = S3Location.parse("s3://tfmnist/snapshots/abc/");

    @TempDir
    static Path work;
    static EmbeddedS3 s3;
    static ObjectStore store;
    static TestServer server;
    static PredictionRoute route;

    @BeforeAll
    static void start() {
        s3 = EmbeddedS3.start(work.resolve("s3"), "127.0.0.1", 0, "key", "secret");
        store = ObjectStore.connect(s3.settings());
        store.createBucketIfMissing("tfmnist");
        server = TestServer.start(work.resolve("model"));
        route = PredictionRoute.start(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        route.close();
        server.close();
        store.close();
        s3.close();
    }

    @Test
    void samplesFromS3ThatTheModelAnswersRightPass() {
        // given
        store.put(SAMPLES, lines("{\"classes\": [7]}", "{\"classes\": [2]}"));

        // when
        SmokeTestReport report = smokeTest().run(pipeline(SAMPLES.uri(), 1), DATA, 1);

        // then
        assertThat(report.passed()).as(report.render()).isTrue();
        assertThat(report.results()).extracting(r -> r.sample().name()).containsExactly("line 1", "line 2");
        assertThat(report.render()).contains("Your model says the above number is... 7!", "2/2 correct");
    }

    @Test
    void aWrongExpectedAnswerFailsNamingTheSampleAndBothValues() {
        store.put(SAMPLES, lines("{\"classes\": [7]}", "{\"classes\": [3]}"));

        SmokeTestReport report = smokeTest().run(pipeline(SAMPLES.uri(), 1), DATA, 1);

        assertThat(report.passed()).isFalse();
        assertThat(report.failureReason()).hasValue("only 1/2 samples were answered as expected, fewer than the 2"
                + " required (first wrong: line 2: output 'classes': expected [3], answered [2]); the model is not good"
                + " enough to serve");
        assertThat(report.render()).containsPattern("line 2 +classes \\[3\\] +classes \\[2\\] +1  wrong");
    }

    @Test
    void aMissingSamplesObjectFailsNamingItAndWhatToDo() {
        SmokeTestReport report = smokeTest().run(pipeline("s3://tfmnist/smoke/missing.jsonl", 1), DATA, 1);

        assertThat(report.passed()).isFalse();
        assertThat(report.failureReason()).hasValue("the smoke-test samples s3://tfmnist/smoke/missing.jsonl do not"
                + " exist; upload a JSON-lines file there, one {\"instances\": [...], \"expected\": {\"classes\": [7]}}"
                + " per line, or change smokeTest.samples in config/pipelines/mnist.yaml");
        assertThat(report.results()).isEmpty();
    }

    @Test
    void aMalformedLineFailsWithItsNumberAndTheReason() {
        store.put(SAMPLES, (new String(lines("{\"classes\": [7]}"), StandardCharsets.UTF_8) + "{\"instances\": [[1]]}\n")
                .getBytes(StandardCharsets.UTF_8));

        SmokeTestReport report = smokeTest().run(pipeline(SAMPLES.uri(), 1), DATA, 1);

        assertThat(report.failureReason()).hasValue(SAMPLES.uri() + " line 2: it has no \"expected\" object naming the"
                + " answer per output, such as \"expected\": {\"classes\": [7]}");
    }

    @Test
    void anMnistPipelineWithoutSamplesSendsTheFirstTenTestImagesOfTheSnapshot() {
        store.put(DATA.resolve("t10k-images-idx3-ubyte.gz"), MnistUploads.DATA.resolve("t10k-images-idx3-ubyte.gz"));
        store.put(DATA.resolve("t10k-labels-idx1-ubyte.gz"), MnistUploads.DATA.resolve("t10k-labels-idx1-ubyte.gz"));

        SmokeTestReport report = smokeTest().run(pipeline(null, 0.5), DATA, 1);

        assertThat(report.results()).as(report.render()).hasSize(10);
        assertThat(report.results()).extracting(r -> r.sample().name()).containsExactly("test image 0",
                "test image 1", "test image 2", "test image 3", "test image 4", "test image 5", "test image 6",
                "test image 7", "test image 8", "test image 9");
        assertThat(report.results()).extracting(r -> (int) r.sample().expected().get("classes")[0])
                .containsExactly(7, 2, 1, 0, 4, 1, 4, 9, 5, 9);
        assertThat(report.render()).contains("Your model says the above number is... 7!");
        assertThat(report.passed()).as(report.render()).isTrue();
    }

    private static SmokeTest smokeTest() {
        return route.smokeTest(server.backend(), store);
    }

    /** Sample digits 0 and 1 (a 7 and a 2) of the shipped ones, each with the expected answer given. */
    private static byte[] lines(String... expected) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < expected.length; i++) {
            text.append(Samples.line(SampleDigits.load().get(i).pixels(), expected[i])).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static PipelineDefinition pipeline(String samples, double minCorrect) {
        Map<String, Object> settings = Pipelines.mnist();
        if (samples != null) {
            settings.put("caravan.pipelines.mnist.smokeTest.samples", samples);
        }
        settings.put("caravan.pipelines.mnist.smokeTest.minCorrect", Double.toString(minCorrect));
        return Pipelines.catalog(settings).find("mnist").orElseThrow();
    }
}
