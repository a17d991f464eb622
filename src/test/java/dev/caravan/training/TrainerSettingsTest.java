package dev.caravan.training;

import dev.caravan.testutil.Pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;

class TrainerSettingsTest {

    private static final S3Settings S3 = new S3Settings(URI.create("http://127.0.0.1:9000"), "us-east-1", "key",
            "secret", false);

    @Test
    void readsBackWhatTheBackendHandsOver() {
        TrainingRequest request = new TrainingRequest("run-1", S3Location.parse("s3://tfmnist/data/mnist"),
                S3Location.parse("s3://tfmnist/runs/run-1"), S3Location.parse("s3://tfmnist/models/mnist/3"),
                Pipelines.cnnTrainer(), Pipelines.parameters(200, 64, 0.0005));

        TrainerSettings settings = TrainerSettings.fromEnvironment(TrainerEnvironment.of(request, S3));

        assertThat(settings.dataDir()).isEqualTo(S3Location.parse("s3://tfmnist/data/mnist/"));
        assertThat(settings.modelDir()).isEqualTo(S3Location.parse("s3://tfmnist/runs/run-1/"));
        assertThat(settings.exportDir()).isEqualTo(S3Location.parse("s3://tfmnist/models/mnist/3/"));
        assertThat(settings.trainSteps()).isEqualTo(200);
        assertThat(settings.batchSize()).isEqualTo(64);
        assertThat(settings.learningRate()).isEqualTo(0.0005f);
        assertThat(settings.s3()).isEqualTo(S3);
        assertThat(settings.reportEvery()).isEqualTo(20);
    }

    @Test
    void hasTheDefaultsOfTheMnistExample() {
        TrainerSettings settings = TrainerSettings.fromEnvironment(minimal());

        assertThat(settings.trainSteps()).isEqualTo(600);
        assertThat(settings.batchSize()).isEqualTo(100);
        assertThat(settings.learningRate()).isEqualTo(0.004f);
        assertThat(settings.learningRateSchedule()).isEqualTo(LearningRateSchedule.WARMUP_COSINE);
        assertThat(settings.reportEvery()).isEqualTo(60);
    }

    @Test
    void namesAMissingLocation() {
        Map<String, String> env = minimal();
        env.remove("TF_EXPORT_DIR");

        assertThatThrownBy(() -> TrainerSettings.fromEnvironment(env))
                .hasMessageStartingWith("TF_EXPORT_DIR is not set; set it to the s3://bucket/prefix");
    }

    @Test
    void namesALocationThatIsNotS3() {
        Map<String, String> env = minimal();
        env.put("TF_DATA_DIR", "/data/mnist");

        assertThatThrownBy(() -> TrainerSettings.fromEnvironment(env))
                .hasMessageStartingWith("TF_DATA_DIR='/data/mnist' is not an S3 location");
    }

    @Test
    void namesAnInvalidNumber() {
        Map<String, String> env = minimal();
        env.put("TF_TRAIN_STEPS", "lots");

        assertThatThrownBy(() -> TrainerSettings.fromEnvironment(env))
                .hasMessage("TF_TRAIN_STEPS='lots' is not a whole number from 1 to 2147483647;"
                        + " unset it for the default 600");
    }

    @Test
    void namesAnOutOfRangeBatchSizeAndLearningRate() {
        Map<String, String> env = minimal();
        env.put("TF_BATCH_SIZE", "0");
        assertThatThrownBy(() -> TrainerSettings.fromEnvironment(env)).hasMessageStartingWith("TF_BATCH_SIZE='0'");

        env.remove("TF_BATCH_SIZE");
        env.put("TF_LEARNING_RATE", "-1");
        assertThatThrownBy(() -> TrainerSettings.fromEnvironment(env)).hasMessageStartingWith("TF_LEARNING_RATE='-1'");
    }

    @Test
    void readsTheLearningRateSchedule() {
        Map<String, String> env = minimal();
        assertThat(TrainerSettings.fromEnvironment(env).learningRateSchedule())
                .isEqualTo(LearningRateSchedule.WARMUP_COSINE);

        env.put("TF_LEARNING_RATE_SCHEDULE", "constant");
        assertThat(TrainerSettings.fromEnvironment(env).learningRateSchedule()).isEqualTo(LearningRateSchedule.CONSTANT);

        env.put("TF_LEARNING_RATE_SCHEDULE", "cyclic");
        assertThatThrownBy(() -> TrainerSettings.fromEnvironment(env)).hasMessage("TF_LEARNING_RATE_SCHEDULE='cyclic'"
                + " is not a learning-rate schedule; use one of warmup-cosine, constant, or unset it for the default"
                + " warmup-cosine");
    }

    @Test
    void namesMissingS3Credentials() {
        Map<String, String> env = minimal();
        env.remove("AWS_SECRET_ACCESS_KEY");

        assertThatThrownBy(() -> TrainerSettings.fromEnvironment(env)).hasMessageContaining("AWS_SECRET_ACCESS_KEY");
    }

    static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>(S3.toEnvironment());
        env.put("TF_DATA_DIR", "s3://tfmnist/data/mnist/");
        env.put("TF_MODEL_DIR", "s3://tfmnist/runs/run-1/");
        env.put("TF_EXPORT_DIR", "s3://tfmnist/models/mnist/1/");
        return env;
    }
}
