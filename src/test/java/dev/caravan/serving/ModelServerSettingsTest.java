package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelServerSettingsTest {

    @ParameterizedTest
    @CsvSource({"1, 1", "2, 1", "4, 3", "16, 15"})
    void predictionsLeaveOneCoreToTheTransportThreads(int cores, int threads) {
        // On 2 cores one prediction thread served gRPC at 32 clients faster than two (bench/serving.sh --curve).
        assertThat(ModelServerSettings.defaultPredictionThreads(cores)).isEqualTo(threads);
    }

    @Test
    void aServerWithoutPredictionThreadsIsRefused() {
        assertThatThrownBy(() -> ModelServerSettings.defaults().withPredictionThreads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one prediction thread");
    }
}
