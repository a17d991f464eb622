package dev.caravan.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;

import dev.caravan.cli.CaravanCommand;
import dev.caravan.testutil.CaravanTestProperties;
import picocli.CommandLine;

/** Invalid settings stop start-up, and {@code caravan server} names the key, the reason and the value. */
class InvalidConfigurationTest {

    @Test
    void anAccuracyGateAboveOneStopsStartUpNamingTheFileAndKey() {
        String error = serverFailure("--caravan.pipelines.mnist.gate.min=1.5");

        assertThat(error).contains("config/pipelines/mnist.yaml: gate.min: 1.5 cannot be reached: accuracy is a share"
                + " from 0 to 1");
    }

    @Test
    void aModelNameThatIsNotDns1123StopsStartUp() {
        String error = serverFailure("--caravan.pipelines.mnist.model=My_Model");

        assertThat(error).contains("config/pipelines/mnist.yaml: model: 'My_Model' must be at most 52 lower-case letters");
    }

    @Test
    void aBadPipelineFileStopsStartUpNamingTheFileTheKeyAndTheReason() throws IOException {
        Path pipelines = Files.createDirectories(CaravanTestProperties.newHome().resolve("pipelines"));
        Files.writeString(pipelines.resolve("fashion.yaml"), """
                model: fashion
                source: {bucket: fashion, prefix: data/fashion/}
                trainer: {builtin: mnist-rnn}
                gate: {min: 0.8}
                """);

        String error = serverFailure("--caravan.pipelines-dir=" + pipelines);

        assertThat(error).contains(pipelines.resolve("fashion.yaml") + ": trainer.builtin: 'mnist-rnn' is not a built-in"
                + " trainer; use one of mnist-cnn, mnist-mlp");
    }

    @Test
    void anInvalidGlobalSettingStillNamesTheKeyAndValue() {
        String error = serverFailure("--caravan.s3.embedded.host=");

        assertThat(error).contains("caravan.s3.embedded.host: must not be blank");
    }

    private static String serverFailure(String property) {
        Path home = CaravanTestProperties.newHome();
        try {
            StringWriter err = new StringWriter();
            CommandLine command = CaravanCommand.commandLine();
            command.setErr(new PrintWriter(err, true));
            int code = command.execute("server", "--caravan.home=" + home, "--server.port=0",
                    "--caravan.s3.embedded.port=0", "--caravan.serving.grpc-port=0", "--caravan.serving.rest-port=0",
                    property);
            assertThat(code).isEqualTo(1);
            return err.toString();
        } finally {
            FileSystemUtils.deleteRecursively(home.toFile());
        }
    }
}
