package dev.caravan.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;

import dev.caravan.pipeline.Run;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;

/**
 * The embedded S3 server's own notifications: a marker it stores starts its pipeline's run at once. The marker route
 * polls only at start and then hourly here, so nothing else could start it.
 */
class EmbeddedS3EventsTest {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/mnist/");

    private static CaravanInstance caravan;

    @BeforeAll
    static void start() {
        Path home = CaravanTestProperties.newHome();
        caravan = CaravanInstance.start(home, "--caravan.trigger.poll-interval=1h", "--caravan.pipelines.mnist.gate.min=0");
    }

    @AfterAll
    static void stop() {
        if (caravan != null) {
            caravan.close();
        }
    }

    @Test
    void aMarkerTheEmbeddedServerStoresStartsOneRunWithoutAPoll() {
        // given: the data, whose objects are no marker
        MnistUploads.uploadAll(caravan.store(), DATA);

        // when
        caravan.store().put(DATA.resolve("_SUCCESS"), new byte[0]);

        // then
        await().atMost(Duration.ofSeconds(30)).until(() -> !caravan.runs().isEmpty());
        Run run = caravan.awaitEndedRuns(1).get(0);
        assertThat(run.trigger()).isEqualTo("upload");
        assertThat(caravan.runs()).hasSize(1);
        assertThat(caravan.bean(MeterRegistry.class).get("caravan.trigger.lag").timer().count())
                .as("the marker's lag, timed whichever path saw it").isEqualTo(1);
    }
}
