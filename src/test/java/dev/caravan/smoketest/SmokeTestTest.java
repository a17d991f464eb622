package dev.caravan.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import dev.caravan.serving.testutil.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smoke test against a served model through Camel's gRPC producer, and against servers that are down, stuck or
 * serving something else.
 */
class SmokeTestTest {

    @TempDir
    static Path work;
    static TestServer server;
    static PredictionRoute route;

    @BeforeAll
    static void start() {
        server = TestServer.start(work);
        route = PredictionRoute.start(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        route.close();
        server.close();
    }

    @Test
    void passesWhenTheExpectedVersionAnswersTheSamples() {
        SmokeTestReport report = smokeTest().run("mnist", 1, Samples.digits(), 0.9);

        assertThat(report.passed()).as(report.render()).isTrue();
        assertThat(report.failureReason()).isEmpty();
        assertThat(report.results()).hasSize(10).allSatisfy(result -> {
            assertThat(result.correct()).as(result.sample().name()).isTrue();
            assertThat(result.version()).isEqualTo(1);
        });
    }

    @Test
    void rendersTheFirstDigitTheAnswerAndASummary() {
        SmokeTestReport report = smokeTest().run("mnist", 1, Samples.digits(), 0.9);

        String[] lines = report.render().split("\n");
        String digit = AsciiDigit.render(SampleDigits.load().get(0).pixels());
        assertThat(String.join("\n", List.of(lines).subList(0, 28)) + "\n").isEqualTo(digit);
        assertThat(lines[28]).isEqualTo("Your model says the above number is... 7!");
        assertThat(lines[30]).startsWith("sample").contains("expected", "answered", "version");
        assertThat(lines[31]).startsWith("test image 0").contains("classes [7]");
        assertThat(report.render()).contains("10/10 correct (at least 9 required)", "PASSED");
    }

    @Test
    void failsWhenAnotherVersionAnswers() {
        SmokeTestReport report = smokeTest().run("mnist", 2, Samples.digits(), 0.9);

        assertThat(report.passed()).isFalse();
        assertThat(report.failureReason()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("sample test image 0 was answered by version 1 of model mnist, not the expected version 2"));
    }

    @Test
    void failsWhenTooFewSamplesAreAnsweredAsExpectedAndSaysWhichAndBothValues() {
        SmokeTestReport report = smokeTest().run("mnist", 1, Samples.digits(1), 0.9);

        assertThat(report.passed()).isFalse();
        assertThat(report.failureReason()).hasValue("only 0/10 samples were answered as expected, fewer than the 9"
                + " required (first wrong: test image 0: output 'classes': expected [8], answered [7]); the model is"
                + " not good enough to serve");
        assertThat(report.render()).contains("0/10 correct", "FAILED")
                .containsPattern("test image 0 +classes \\[8\\] +classes \\[7\\] +1  wrong");
    }

    @Test
    void comparesFloatOutputsWithinARelativeTolerance() {
        float[] seven = SampleDigits.load().get(0).pixels();
        float[] probabilities;
        try (PredictClient client = new PredictClient("127.0.0.1", server.endpoint().grpcPort())) {
            probabilities = client.predict("mnist", OptionalLong.empty(), seven).probabilities();
        }
        String close = jsonArray(probabilities, 1 + 0.5e-4);
        String far = jsonArray(probabilities, 1 + 1e-3);
        List<SmokeSample> samples = SmokeSamples.fromJsonLines(Samples.line(seven, "{\"predictions\": [" + close + "]}")
                + "\n" + Samples.line(seven, "{\"predictions\": [" + far + "]}"), "test");

        SmokeTestReport report = smokeTest().run("mnist", 1, samples, 0.5);

        assertThat(report.results()).extracting(SmokeTestReport.SampleResult::correct).containsExactly(true, false);
        assertThat(report.results().get(1).mismatch()).hasValueSatisfying(m -> assertThat(m)
                .startsWith("output 'predictions': expected ["));
    }

    @Test
    void takesColumnarRequestsToo() {
        float[] seven = SampleDigits.load().get(0).pixels();
        String rows = SmokeSamples.imageRequest(seven, MnistShape.ROWS, MnistShape.COLUMNS);
        String columns = "{\"inputs\": {\"x\": " + rows.substring(rows.indexOf(':') + 1, rows.length() - 1)
                + "}, \"expected\": {\"classes\": [7]}}";

        SmokeTestReport report = smokeTest().run("mnist", 1, SmokeSamples.fromJsonLines(columns, "test"), 1);

        assertThat(report.passed()).as(report.render()).isTrue();
    }

    @Test
    void aSampleTheModelCannotTakeIsAFailedReportNamingIt() {
        List<SmokeSample> samples = SmokeSamples.fromJsonLines(
                "{\"instances\": [{\"pixels\": [1, 2]}], \"expected\": {\"classes\": [7]}}", "test");

        SmokeTestReport report = smokeTest().run("mnist", 1, samples, 1);

        assertThat(report.failureReason()).hasValue("sample line 1 does not fit model mnist: the model takes no input"
                + " 'pixels'; its inputs are [x]");
    }

    @Test
    void anUnreachableServerIsAFailedReport() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        SmokeTestReport report = new SmokeTest(route.client(new FixedEndpoint("127.0.0.1", closedPort)), null)
                .run("mnist", 1, Samples.digits(), 0.9);

        assertThat(report.passed()).isFalse();
        assertThat(report.failureReason()).hasValue("cannot reach the model server at 127.0.0.1:" + closedPort
                + ": connection refused; start it with ./caravan server");
        assertThat(report.render()).contains("Your model could not say what the above number is.");
    }

    @Test
    void aServerThatNeverAnswersFailsAtTheDeadline() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             PredictionRoute impatient = PredictionRoute.start(Duration.ofMillis(300))) {
            SmokeTestReport report = new SmokeTest(impatient.client(new FixedEndpoint("127.0.0.1", silent.getLocalPort())),
                    null).run("mnist", 1, Samples.digits(), 0.9);

            assertThat(report.passed()).isFalse();
            assertThat(report.failureReason()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("did not answer within 300 ms"));
        }
    }

    @Test
    void theClientTellsWhichVersionAnswered() {
        try (PredictClient client = new PredictClient("127.0.0.1", server.endpoint().grpcPort())) {
            PredictClient.Prediction prediction = client.predict("mnist", OptionalLong.of(1), SampleDigits.load().get(0).pixels());

            assertThat(prediction.digit()).isEqualTo(7);
            assertThat(prediction.version()).isEqualTo(1);
            assertThat(prediction.probabilities()).hasSize(10);
        }
    }

    private static SmokeTest smokeTest() {
        return new SmokeTest(route.client(server.backend()), null);
    }

    private static String jsonArray(float[] values, double factor) {
        StringBuilder text = new StringBuilder();
        for (float value : values) {
            text.append(text.length() == 0 ? "" : ", ").append(value * factor);
        }
        return text.toString();
    }
}
