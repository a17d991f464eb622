package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.tensorflow.EagerSession;
import org.tensorflow.op.Ops;

import dev.caravan.definition.BuiltinParameters;

class LearningRateScheduleTest {

    private static final LearningRateSchedule COSINE = LearningRateSchedule.WARMUP_COSINE;

    @Test
    void warmsUpOverTheFirstTenthThenFallsAlongAHalfCosineTowardsZero() {
        // 1000 steps: 100 warm up, 900 decay.
        assertThat(COSINE.rate(0.004, 0, 1000)).isCloseTo(0.004 / 100, within(1e-12));
        assertThat(COSINE.rate(0.004, 49, 1000)).isCloseTo(0.002, within(1e-12));
        assertThat(COSINE.rate(0.004, 99, 1000)).isCloseTo(0.004, within(1e-12));
        assertThat(COSINE.rate(0.004, 100, 1000)).isCloseTo(0.004, within(1e-12));
        assertThat(COSINE.rate(0.004, 550, 1000)).isCloseTo(0.002, within(1e-12));
        assertThat(COSINE.rate(0.004, 999, 1000)).isGreaterThan(0).isLessThan(0.004 * 1e-4);
        for (int step = 100; step < 999; step++) {
            assertThat(COSINE.rate(0.004, step + 1, 1000)).isLessThan(COSINE.rate(0.004, step, 1000));
        }
    }

    @Test
    void aRunOfOneStepTakesThePeak() {
        assertThat(COSINE.rate(0.01, 0, 1)).isEqualTo(0.01);
    }

    @Test
    void constantKeepsThePeak() {
        assertThat(LearningRateSchedule.CONSTANT.rate(0.001, 0, 500)).isEqualTo(0.001);
        assertThat(LearningRateSchedule.CONSTANT.rate(0.001, 499, 500)).isEqualTo(0.001);
    }

    @Test
    void theGraphComputesWhatTheFormulaSays() {
        try (EagerSession eager = EagerSession.create()) {
            Ops tf = Ops.create(eager);
            for (LearningRateSchedule schedule : LearningRateSchedule.values()) {
                for (long step : new long[] {0, 1, 30, 59, 60, 61, 200, 450, 599, 700}) {
                    float graph = schedule.rate(tf, 0.004f, tf.constant(step), 600).asTensor().getFloat();
                    assertThat((double) graph).as("%s at step %d", schedule.id(), step)
                            .isCloseTo(schedule.rate(0.004, step, 600), within(1e-7));
                }
            }
        }
    }

    @Test
    void pipelinesOfferExactlyTheseSchedules() {
        assertThat(Arrays.stream(LearningRateSchedule.values()).map(LearningRateSchedule::id))
                .containsExactlyElementsOf(BuiltinParameters.LEARNING_RATE_SCHEDULES);
    }

    @Test
    void namesTheSchedulesThereAre() {
        assertThat(LearningRateSchedule.of(" Warmup-Cosine ")).isEqualTo(COSINE);
        assertThatThrownBy(() -> LearningRateSchedule.of("step"))
                .hasMessage("'step' is not a learning-rate schedule; use one of warmup-cosine, constant");
    }
}
