package dev.caravan.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunEvent;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;

/** The trigger's memory lives in H2: after a restart, data that trained before does not train again. */
class TriggerAcrossRestartsTest {

    private final S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");

    @Test
    void theSameSnapshotDoesNotTrainAgainAfterARestart() {
        Path home = CaravanTestProperties.newHome();
        try {
            // given: a run that completed (the gate is set out of reach, so it ends quickly as REJECTED)
            try (CaravanInstance caravan = CaravanInstance.start(home, "--caravan.pipelines.mnist.gate.min=1")) {
                MnistUploads.uploadAll(caravan.store(), data);
                MnistUploads.marker(caravan.store(), data);
                List<Run> runs = caravan.awaitEndedRuns(1);
                assertThat(runs.get(0).outcome()).as(runs.get(0).message()).isEqualTo("REJECTED");
            }

            // when: Caravan restarts on the same home and the marker is uploaded again
            try (CaravanInstance caravan = CaravanInstance.start(home, "--caravan.pipelines.mnist.gate.min=1")) {
                MnistUploads.marker(caravan.store(), data);

                // then: the snapshot is recognised as trained, and no second run starts
                await().atMost(Duration.ofMinutes(1)).until(() -> !caravan.events().of(RunEvent.Skipped.class).isEmpty());
                assertThat(caravan.runs()).hasSize(1);
            }
        } finally {
            FileSystemUtils.deleteRecursively(home.toFile());
        }
    }

    @Test
    void anUploadSeenInItsQuietPeriodIsNotForgottenByARestart() {
        Path home = CaravanTestProperties.newHome();
        try {
            try (CaravanInstance caravan = CaravanInstance.start(home, "--caravan.pipelines.mnist.source.quiet-period=30s")) {
                // given: objects seen by the quiet-period route, whose prefix has not been quiet long enough
                for (int i = 0; i < 20; i++) {
                    caravan.store().put(data.resolve("part-" + i + ".bin"), new byte[] {(byte) i});
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> caravan.bean(JdbcTemplate.class).queryForObject(
                        "SELECT COUNT(*) FROM caravan_quiet_uploads", Integer.class) == 1);
                // when: Caravan stops before the quiet period ends
            }
            try (CaravanInstance caravan = CaravanInstance.start(home, "--caravan.pipelines.mnist.source.quiet-period=2s")) {

                // then: the upload becomes a run after the restart, though its objects were already seen
                List<Run> runs = caravan.awaitEndedRuns(1);
                assertThat(runs).hasSize(1);
                assertThat(runs.get(0).message()).startsWith("validateData: s3://tfmnist/data/mnist/train-images-idx3-ubyte");
            }
        } finally {
            FileSystemUtils.deleteRecursively(home.toFile());
        }
    }

    @Test
    void aQuietPrefixCompletesAnUploadWithoutAMarkerAsOneRun() {
        Path home = CaravanTestProperties.newHome();
        try (CaravanInstance caravan = CaravanInstance.start(home, "--caravan.pipelines.mnist.source.quiet-period=2s")) {
            // given: two hundred objects dropped at once, none a marker; the data is incomplete, so the run fails fast
            for (int i = 0; i < 200; i++) {
                caravan.store().put(data.resolve("part-" + i + ".bin"), new byte[] {(byte) i});
            }

            // then: one run for all of them, failed at validation with the missing object named
            List<Run> runs = caravan.awaitEndedRuns(1);
            assertThat(runs).hasSize(1);
            assertThat(runs.get(0).status()).isEqualTo("FAILED");
            assertThat(runs.get(0).message()).startsWith("validateData: s3://tfmnist/data/mnist/train-images-idx3-ubyte");
        } finally {
            FileSystemUtils.deleteRecursively(home.toFile());
        }
    }
}
