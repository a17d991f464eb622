package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.caravan.serving.testutil.TestServer;
import dev.caravan.smoketest.Pictures;
import dev.caravan.smoketest.SampleDigits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PredictCommandTest {

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
    void predictsARandomSampleDigitAndShowsItsLabel() {
        Run run = run("--port", port());

        assertThat(run.exitCode).as(run.err).isZero();
        Matcher label = Pattern.compile("A sample digit labelled (\\d)").matcher(run.out);
        assertThat(label.find()).as(run.out).isTrue();
        assertThat(run.out).contains("Your model says the above number is... " + label.group(1) + "!");
        assertThat(run.out.lines().filter(line -> line.matches("[@.]{28}"))).hasSize(28);
    }

    @Test
    void predictsAPictureOfDarkInkOnPaper() throws IOException {
        Path png = Pictures.png(SampleDigits.load().get(0).pixels(), 4, true, work.resolve("seven.png"));

        Run run = run("--image", png.toString(), "--port", port(), "--model", "mnist", "--version", "1");

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.out).contains("Your model says the above number is... 7!", "(model mnist version 1 at 127.0.0.1:");
    }

    @Test
    void explainsAServerThatIsNotThere() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        Run run = run("--port", String.valueOf(closedPort));

        assertThat(run.exitCode).isEqualTo(CommandLine.ExitCode.SOFTWARE);
        assertThat(run.err).contains("cannot reach the model server at 127.0.0.1:" + closedPort
                + ": connection refused; start it with ./caravan server");
    }

    @Test
    void explainsAnUnknownModel() {
        Run run = run("--port", port(), "--model", "fashion");

        assertThat(run.exitCode).isEqualTo(CommandLine.ExitCode.SOFTWARE);
        assertThat(run.err).contains("does not serve that model: Servable not found for request: Latest(fashion)");
    }

    @Test
    void explainsAPictureItCannotRead() {
        Run run = run("--image", work.resolve("missing.png").toString(), "--port", port());

        assertThat(run.exitCode).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err).contains("cannot read the digit picture: ", "missing.png does not exist");
    }

    @Test
    void documentsItsOptionsWithExamples() {
        Run run = run("--help");

        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("--image=FILE.png", "--host", "--port", "--model", "--version", "Examples:");
    }

    private static String port() {
        return String.valueOf(server.endpoint().grpcPort());
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = new CommandLine(new PredictCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
