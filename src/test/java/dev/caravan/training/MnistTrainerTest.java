package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The trainer's failures before any training, run in this JVM: exit status and the one line on stderr. */
class MnistTrainerTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void anInvalidVariableExitsWithTwoAndItsName() {
        Map<String, String> env = TrainerSettingsTest.minimal();
        env.put("TF_BATCH_SIZE", "ten");

        int status = run(env);

        assertThat(status).isEqualTo(MnistTrainer.EXIT_INVALID_ENVIRONMENT);
        assertThat(stderr()).startsWith("trainer: invalid environment: TF_BATCH_SIZE='ten' is not a whole number")
                .hasLineCount(1);
    }

    @Test
    void anUnreachableS3ExitsWithOneAndSaysWhatToCheck() {
        Map<String, String> env = TrainerSettingsTest.minimal();
        env.put("S3_ENDPOINT", "127.0.0.1:1");

        int status = run(env);

        assertThat(status).isEqualTo(MnistTrainer.EXIT_FAILED);
        assertThat(stderr()).startsWith("trainer: S3 at http://127.0.0.1:1 failed: ")
                .contains("check that it is reachable and that S3_ENDPOINT and the AWS_* credentials are right")
                .hasLineCount(1);
    }

    private int run(Map<String, String> env) {
        return MnistTrainer.run(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
