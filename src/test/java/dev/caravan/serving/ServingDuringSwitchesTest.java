package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.caravan.bench.faults.Phase;
import dev.caravan.bench.faults.ServingDuringSwitches;

/**
 * The fault suite's "serving during switches" scenario, small enough for the build: 2 gRPC and 2 REST clients keep
 * predicting on a whole Caravan while promotions, failed smoke tests with their rollbacks, and rollbacks by hand
 * switch the served version; not one request may fail. {@code bench/faults.sh switches} runs it at full size.
 */
class ServingDuringSwitchesTest {

    @TempDir
    Path work;

    @Test
    void noRequestFailsWhileVersionsArePromotedWithdrawnAndRolledBack() throws Exception {
        ServingDuringSwitches.Size small = new ServingDuringSwitches.Size(2, 2, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(2), 1, Duration.ofMillis(100), 2);

        ServingDuringSwitches.Outcome outcome = ServingDuringSwitches.run(small, work);

        assertThat(outcome.problems()).isEmpty();
        assertThat(outcome.failedRequests()).as("failed requests, first ones: %s", outcome.firstFailures()).isZero();
        assertThat(outcome.failedSmokeTestsRolledBack()).isGreaterThanOrEqualTo(2);
        assertThat(outcome.switches()).isGreaterThanOrEqualTo(8);
        // The switches met requests on both transports.
        assertThat(outcome.grpc().answered(Phase.SWITCHING)).isPositive();
        assertThat(outcome.rest().answered(Phase.SWITCHING)).isPositive();
    }
}
