package dev.caravan.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.JobParametersBuilder;

import dev.caravan.system.CaravanProperties;

class TrainingSettingsTest {

    private final CaravanProperties.Training configured =
            new CaravanProperties.Training(1000, 100, 0.001, Duration.ofMinutes(10), "-Xmx1g");

    @Test
    void aRunsParametersOverrideTheConfiguredSettings() {
        CaravanProperties.Training effective = TrainingSettings.of(new JobParametersBuilder()
                .addString("trainSteps", "50").addString("learningRate", "0.01").toJobParameters(), configured);

        assertThat(effective.steps()).isEqualTo(50);
        assertThat(effective.batchSize()).isEqualTo(100);
        assertThat(effective.learningRate()).isEqualTo(0.01);
    }

    @Test
    void unknownOrInvalidParametersAreRefusedWithTheReason() {
        assertThatThrownBy(() -> TrainingSettings.checked("epochs", "3"))
                .hasMessageContaining("unknown run parameter 'epochs'");
        assertThatThrownBy(() -> TrainingSettings.checked("trainSteps", "1.5"))
                .hasMessageContaining("trainSteps=1.5 must be a positive whole number");
        assertThatThrownBy(() -> TrainingSettings.checked("learningRate", "-1"))
                .hasMessageContaining("must be a positive number");
    }

    @Test
    void runNamesAreDns1123AndDifferWithTheSettings() {
        String plain = RetrainLauncher.runName("mnist", "abc");
        String tuned = RunNames.of(new JobParametersBuilder().addString("model", "mnist").addString("snapshot", "abc")
                .addString("trainSteps", "50").toJobParameters());

        assertThat(plain).matches("mnist-[0-9a-f]{10}").isEqualTo(RetrainLauncher.runName("mnist", "abc"));
        assertThat(tuned).matches("mnist-[0-9a-f]{10}").isNotEqualTo(plain);
    }
}
