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

/** The smoke test against a served model, and against servers that are down, stuck or serving something else. */
class SmokeTestTest {

    @TempDir
    static Path work;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(work);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void passesWhenTheExpectedVersionReadsTheSampleDigits() {
        SmokeTestReport report = new SmokeTest().run("127.0.0.1", grpcPort(), "mnist", 1, 0.9);

        assertThat(report.passed()).as(report.render()).isTrue();
        assertThat(report.failureReason()).isEmpty();
        assertThat(report.digits()).hasSize(10).allSatisfy(digit -> {
            assertThat(digit.predicted()).isEqualTo(digit.expected());
            assertThat(digit.version()).isEqualTo(1);
        });
    }

    @Test
    void rendersTheFirstDigitTheAnswerAndASummary() {
        SmokeTestReport report = new SmokeTest().run("127.0.0.1", grpcPort(), "mnist", 1, 0.9);

        String[] lines = report.render().split("\n");
        String digit = AsciiDigit.render(SampleDigits.load().get(0).pixels());
        assertThat(String.join("\n", List.of(lines).subList(0, 28)) + "\n").isEqualTo(digit);
        assertThat(lines[28]).isEqualTo("Your model says the above number is... 7!");
        assertThat(report.render()).contains("10/10 correct (at least 9 required)", "PASSED");
    }

    @Test
    void failsWhenAnotherVersionAnswers() {
        SmokeTestReport report = new SmokeTest().run("127.0.0.1", grpcPort(), "mnist", 2, 0.9);

        assertThat(report.passed()).isFalse();
        assertThat(report.failureReason()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("answered by version 1 of model mnist, not the expected version 2"));
    }

    @Test
    void failsWhenTooFewDigitsAreRight() {
        // the same images with every label moved by one: a correct model now gets them all "wrong"
        List<SampleDigit> mislabelled = SampleDigits.load().stream()
                .map(d -> new SampleDigit(d.mnistIndex(), (d.label() + 1) % 10, d.pixels())).toList();

        SmokeTestReport report = new SmokeTest(mislabelled, Duration.ofSeconds(5)).run("127.0.0.1", grpcPort(), "mnist", 1, 0.9);

        assertThat(report.passed()).isFalse();
        assertThat(report.failureReason()).hasValue("only 0/10 sample digits were classified correctly, fewer than "
                + "the 9 required; the model is not good enough to serve");
        assertThat(report.render()).contains("0/10 correct", "FAILED");
    }

    @Test
    void anUnreachableServerIsAFailedReport() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        SmokeTestReport report = new SmokeTest().run("127.0.0.1", closedPort, "mnist", 1, 0.9);

        assertThat(report.passed()).isFalse();
        assertThat(report.failureReason()).hasValue("cannot reach the model server at 127.0.0.1:" + closedPort
                + ": connection refused; start it with ./caravan server");
        assertThat(report.render()).contains("Your model could not say what the above number is.");
    }

    @Test
    void aServerThatNeverAnswersFailsAtTheDeadline() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SmokeTestReport report = new SmokeTest(SampleDigits.load(), Duration.ofMillis(300))
                    .run("127.0.0.1", silent.getLocalPort(), "mnist", 1, 0.9);

            assertThat(report.passed()).isFalse();
            assertThat(report.failureReason()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("did not answer within 300 ms"));
        }
    }

    @Test
    void theClientTellsWhichVersionAnswered() {
        try (PredictClient client = new PredictClient("127.0.0.1", grpcPort())) {
            PredictClient.Prediction prediction = client.predict("mnist", OptionalLong.of(1), SampleDigits.load().get(0).pixels());

            assertThat(prediction.digit()).isEqualTo(7);
            assertThat(prediction.version()).isEqualTo(1);
            assertThat(prediction.probabilities()).hasSize(10);
        }
    }

    private static int grpcPort() {
        return server.endpoint().grpcPort();
    }
}
