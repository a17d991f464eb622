package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressLineTest {

    @Test
    void writesOneMarkedJsonObject() {
        assertThat(ProgressLine.format(new TrainingProgress(100, 1000, 0.31, 0.92)))
                .isEqualTo("CARAVAN_PROGRESS {\"step\":100,\"totalSteps\":1000,\"loss\":0.31,\"accuracy\":0.92}");
    }

    @Test
    void readsWhatItWrites() {
        TrainingProgress progress = new TrainingProgress(7, 30, 1.25, 0.5);

        assertThat(ProgressLine.parse(ProgressLine.format(progress))).contains(progress);
    }

    @Test
    void ignoresOtherLines() {
        assertThat(ProgressLine.parse("trainer: loaded 60000 train images")).isEmpty();
        assertThat(ProgressLine.parse("CARAVAN_PROGRESS {\"step\":")).isEmpty();
    }
}
