package dev.caravan.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.caravan.registry.ModelVersion;
import dev.caravan.storage.S3Location;

class GateTest {

    private final Gate gate = new Gate("accuracy", 0.97, 0.005);

    @Test
    void promotesAFirstModelThatReachesTheMinimum() {
        Gate.Verdict verdict = gate.judge(0.975, Optional.empty());

        assertThat(verdict.promote()).isTrue();
        assertThat(verdict.reason()).contains("0.9750 reaches the minimum 0.9700");
    }

    @Test
    void rejectsAModelBelowTheMinimumAndSaysWhichSettingToChange() {
        Gate.Verdict verdict = gate.judge(0.9, Optional.empty());

        assertThat(verdict.promote()).isFalse();
        assertThat(verdict.reason()).contains("below the gate's minimum").contains("gate.min in the pipeline file");
    }

    @Test
    void rejectsAModelWorseThanTheServingOneByMoreThanTheTolerance() {
        Gate.Verdict verdict = gate.judge(0.980, Optional.of(serving(0.990)));

        assertThat(verdict.promote()).isFalse();
        assertThat(verdict.reason()).contains("worse than serving version 4's 0.9900");
    }

    @Test
    void promotesAModelWithinTheToleranceOfTheServingOne() {
        assertThat(gate.judge(0.986, Optional.of(serving(0.990))).promote()).isTrue();
    }

    private static ModelVersion serving(double accuracy) {
        return new ModelVersion("mnist", 4, "mnist-0123456789", "abc", S3Location.parse("s3://tfmnist/models/mnist/4/"),
                accuracy, ModelVersion.State.SERVING, null, Instant.now(), Instant.now(), null);
    }
}
