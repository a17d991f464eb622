package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void printsDurationsAsKubectlDoes() {
        assertThat(Durations.shortForm(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Durations.shortForm(Duration.ofSeconds(192))).isEqualTo("3m12s");
        assertThat(Durations.shortForm(Duration.ofMinutes(125))).isEqualTo("2h5m");
        assertThat(Durations.shortForm(Duration.ofDays(4).plusHours(3))).isEqualTo("4d");
    }
}
