package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.RunProcesses;
import dev.caravan.testutil.TrainerFaults;
import dev.caravan.testutil.TrainerFaults.Fault;
import dev.caravan.testutil.TrainerFaults.Outcome;

/**
 * The fault suite's trainer faults at CI size, on a whole Caravan: a trainer SIGKILLed as by the OOM killer, one
 * hanging past a 5 s timeout, one exiting 3, and a built-in trainer's JVM out of heap. Each run fails at train with
 * the reason in words and the log's last lines, and no process of the trainer is left (its children included).
 */
class TrainerFaultsTest {

    private static TrainerFaults faults;

    @BeforeAll
    static void startCaravan() {
        Assumptions.assumeTrue(RunProcesses.canList(), "needs /proc to find what a trainer left running");
        faults = TrainerFaults.start(CaravanTestProperties.newHome(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopCaravan() {
        if (faults != null) {
            faults.close();
        }
    }

    @Test
    void aTrainerKilledByTheOomKillerFailsTheRunAtTrainSayingSo() {
        Outcome outcome = faults.provoke(Fault.KILLED);

        assertThat(outcome.run().status()).isEqualTo("FAILED");
        assertThat(outcome.run().message()).startsWith("train: ")
                .contains("was killed by signal 9 (SIGKILL; out of memory?").contains("exit code 137")
                .contains("last lines of ")
                .containsPattern("trainer: loading all of s3://faulty/snapshots/faulty/[0-9a-f]{64}/ into memory")
                .contains("it left 1 process running, which Caravan killed");
        assertThat(outcome.leftovers()).isEmpty();
    }

    @Test
    void aTrainerHangingPastItsTimeoutFailsTheRunAtTrainWithEverythingItStartedKilled() {
        Outcome outcome = faults.provoke(Fault.HUNG);

        assertThat(outcome.run().status()).isEqualTo("FAILED");
        assertThat(outcome.run().message()).startsWith("train: ").contains("timed out after 5 s")
                .contains("raise the training timeout (trainer.timeout)")
                .contains("last lines of ").contains("waiting on pid");
        assertThat(outcome.leftovers()).isEmpty();
    }

    @Test
    void aTrainerExitingThreeFailsTheRunAtTrainWithItsReason() {
        Outcome outcome = faults.provoke(Fault.EXITED);

        assertThat(outcome.run().status()).isEqualTo("FAILED");
        assertThat(outcome.run().message()).startsWith("train: ").contains("failed with exit code 3")
                .contains("last lines of ")
                .containsPattern("trainer: cannot read s3://faulty/snapshots/faulty/[0-9a-f]{64}/: no CSV files there");
        assertThat(outcome.leftovers()).isEmpty();
    }

    @Test
    void aTrainerJvmOutOfHeapFailsTheRunAtTrainSayingItRanOutOfMemory() {
        Outcome outcome = faults.provoke(Fault.JVM_OUT_OF_MEMORY);

        assertThat(outcome.run().status()).isEqualTo("FAILED");
        assertThat(outcome.run().message()).startsWith("train: ").contains("ran out of memory (")
                .contains("java.lang.OutOfMemoryError").contains("caravan.training.jvm-options");
        assertThat(outcome.leftovers()).isEmpty();
    }
}
