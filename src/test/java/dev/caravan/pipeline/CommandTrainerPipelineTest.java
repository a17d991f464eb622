package dev.caravan.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.testutil.MnistData;
import dev.caravan.serving.testutil.TestModels;
import dev.caravan.smoketest.PredictClient;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.PredictRequests;

/**
 * A pipeline whose trainer is not Caravan's: a bash script (src/test/resources/dev/caravan/training/
 * command-trainer.sh) that uploads a SavedModel to TF_EXPORT_DIR with curl and reports metrics.json. The gate
 * reads the script's metric, JSON-lines samples in S3 smoke-test the served version, and the script's exit code 3
 * fails the next run with its log while the version before keeps serving.
 */
@SpringBootTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommandTrainerPipelineTest {

    private static final S3Location DATA = S3Location.parse("s3://letters/data/letters/");
    private static final S3Location SAMPLES = S3Location.parse("s3://letters/samples/letters.jsonl");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws URISyntaxException {
        Path home = CaravanTestProperties.register(registry);
        Path script = Path.of(CommandTrainerPipelineTest.class.getResource("/dev/caravan/training/command-trainer.sh")
                .toURI());
        assertThat(script.toFile().setExecutable(true)).isTrue();
        Path savedModel = TestModels.exportMnist(home.resolve("exported"));
        String letters = "caravan.pipelines.letters.";
        registry.add(letters + "model", () -> "letters");
        registry.add(letters + "source.bucket", DATA::bucket);
        registry.add(letters + "source.prefix", DATA::key);
        registry.add(letters + "trainer.command[0]", script::toString);
        registry.add(letters + "trainer.parameters.mode", () -> "train");
        registry.add(letters + "trainer.parameters.modelFrom", savedModel::toString);
        registry.add(letters + "trainer.timeout", () -> "2m");
        registry.add(letters + "gate.metric", () -> "accuracy");
        registry.add(letters + "gate.min", () -> "0.9");
        registry.add(letters + "smoke-test.samples", SAMPLES::uri);
        registry.add(letters + "smoke-test.min-correct", () -> "0.8");
    }

    @Autowired
    ObjectStore store;

    @Autowired
    RunStore runs;

    @Autowired
    RunOperations operations;

    @Autowired
    ModelRegistry registry;

    @Autowired
    ServingBackend serving;

    @Test
    @Order(1)
    void theScriptsSavedModelPassesTheGateOnItsOwnMetricAndTheSamplesAndServes() {
        store.put(SAMPLES, samples(10));
        store.put(DATA.resolve("letters.csv"), "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));

        store.put(DATA.resolve("_SUCCESS"), new byte[0]);

        Run run = awaitEnded(1);
        assertThat(run.outcome()).as(run.message()).isEqualTo("PROMOTED");
        ModelVersion served = registry.serving("letters").orElseThrow();
        assertThat(served.accuracy()).as("the gate's metric, from the script's metrics.json").isEqualTo(0.91);
        assertThat(served.export()).isEqualTo(S3Location.parse("s3://letters/models/letters/1/"));
        ServingEndpoint endpoint = serving.endpoint("letters");
        try (PredictClient client = new PredictClient(endpoint.host(), endpoint.grpcPort())) {
            assertThat(client.predict("letters", OptionalLong.empty(), MnistData.test(1).images()[0]).digit())
                    .isEqualTo(7);
        }
    }

    @Test
    @Order(2)
    void aTrainerThatExitsWithThreeFailsTheRunWithItsLogAndServingStays() {
        operations.submit("letters", Map.of("mode", "fail"), "test");

        Run run = awaitEnded(2);
        assertThat(run.status()).isEqualTo("FAILED");
        assertThat(run.message()).startsWith("train: ").contains("exit code 3")
                .containsPattern("trainer: cannot read s3://letters/snapshots/letters/[0-9a-f]{64}/: no CSV files"
                        + " there");
        assertThat(serving.servingVersion("letters")).hasValue(1);
    }

    private Run awaitEnded(int count) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<Run> all = runs.list(null, "letters", null, 10);
            return all.size() >= count && all.get(0).endedAt() != null;
        });
        return runs.list(null, "letters", null, 10).get(0);
    }

    /** JSON lines of TF Serving requests with their expected answers: the first MNIST test digits and their labels. */
    private static byte[] samples(int count) {
        MnistData.Digits digits = MnistData.test(count);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            lines.append(PredictRequests.sample(digits.images()[i], digits.labels()[i])).append('\n');
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }
}
