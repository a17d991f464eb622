package dev.caravan.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** The gate's metric from a trainer's metrics.json (Kubeflow Pipelines' mlpipeline-metrics format), or why not. */
class TrainerMetricsTest {

    private static final S3Location MODEL_DIR = S3Location.parse("s3://letters/training/letters-0123456789/");
    private static final S3Location FILE = MODEL_DIR.resolve("metrics.json");

    private final ObjectStore store = mock(ObjectStore.class);
    private final TrainerMetrics metrics = new TrainerMetrics(store);

    @Test
    void theNamedMetricIsRead() {
        written("{\"metrics\": [{\"name\": \"loss\", \"numberValue\": 0.3}, {\"name\": \"f1\", \"numberValue\": 0.87}]}");

        assertThat(metrics.value(MODEL_DIR, "f1")).isEqualTo(0.87);
    }

    @Test
    void aMissingFileNamesTheFileAndTheMetric() {
        given(store.read(FILE)).willThrow(NoSuchKeyException.builder().message("The specified key does not exist").build());

        assertThatThrownBy(() -> metrics.value(MODEL_DIR, "f1"))
                .hasMessageStartingWith("the trainer wrote no " + FILE + ", so the gate's metric 'f1' is unknown");
    }

    @Test
    void aMissingMetricNamesTheFileAndTheMetric() {
        written("{\"metrics\": [{\"name\": \"loss\", \"numberValue\": 0.3}]}");

        assertThatThrownBy(() -> metrics.value(MODEL_DIR, "f1"))
                .hasMessageStartingWith(FILE + " has no metric named 'f1' with a numberValue");
    }

    @Test
    void aFileThatIsNotJsonSaysSo() {
        written("accuracy=0.9");

        assertThatThrownBy(() -> metrics.value(MODEL_DIR, "accuracy")).hasMessageStartingWith(FILE + " is not JSON");
    }

    private void written(String json) {
        given(store.read(FILE)).willReturn(json.getBytes(StandardCharsets.UTF_8));
    }
}
