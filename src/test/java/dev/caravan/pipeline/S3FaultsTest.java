package dev.caravan.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.FaultyS3Proxy.Fault;
import dev.caravan.testutil.S3FaultRig;

/**
 * S3 failing during a step, through a proxy of the test's own: the clients retry with backoff, then the step fails
 * with a message naming the endpoint and the operation, the version that served still serves, and a retry of the
 * run completes once S3 is healthy. A fault that passes within the attempts is not seen at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3FaultsTest {

    private static final int MAX_ATTEMPTS = 3;

    private S3FaultRig rig;

    @BeforeAll
    void startCaravanBehindTheProxy() throws Exception {
        rig = S3FaultRig.start(CaravanTestProperties.newHome(), MAX_ATTEMPTS);
    }

    @AfterAll
    void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        "validateData, ERROR_503,   GetObject",
        "train,        UNREACHABLE, GetObject",
        "evaluate,     ERROR_500,   GetObject",
        "promote,      UNREACHABLE, GetObject",
    })
    void aStepFailsNamingEndpointAndOperationThenTheRetryCompletes(String step, Fault fault, String operation) {
        // when: S3 fails the step's reads for good
        S3FaultRig.Outcome outcome = rig.run(step, fault, step.equals("promote") ? S3FaultRig.EXPORT_READS
                : S3FaultRig.DATA_READS, Integer.MAX_VALUE);

        // then: retried, failed at that step with a message to act on, serving untouched, retried to completion
        assertThat(outcome.status()).as(outcome.message()).isEqualTo("FAILED");
        assertThat(outcome.failedStep()).as(outcome.message()).isEqualTo(step);
        assertThat(outcome.message()).contains("S3 at " + rig.endpoint() + " failed " + operation + " s3://tfmnist/")
                .contains("after " + MAX_ATTEMPTS + " attempts");
        assertThat(outcome.attempts()).isEqualTo(MAX_ATTEMPTS);
        assertThat(outcome.servingUnchanged()).as("serving " + outcome.servingBefore() + " then "
                + outcome.servingAfterFailure()).isTrue();
        assertThat(outcome.retryStatus()).isEqualTo("COMPLETED");
    }

    @Test
    void throttlingThatPassesWithinTheAttemptsIsRetriedAndTheRunCompletes() {
        // when: the first two reads of the data are answered 503 SlowDown, fewer than the attempts
        S3FaultRig.Outcome outcome = rig.run("validateData", Fault.ERROR_503, S3FaultRig.DATA_READS, MAX_ATTEMPTS - 1);

        // then
        assertThat(outcome.status()).as(outcome.message()).isEqualTo("COMPLETED");
        assertThat(outcome.attempts()).isEqualTo(MAX_ATTEMPTS - 1);
        assertThat(rig.servingVersion()).isNotEqualTo(outcome.servingBefore());
    }
}
