package dev.caravan.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.batch.core.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion.State;
import dev.caravan.serving.ServingBackend;
import dev.caravan.smoketest.PredictClient;
import dev.caravan.smoketest.SampleDigits;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;
import dev.caravan.snapshot.SnapshotStore;

/**
 * A model that passes the gate but answers the smoke test wrong is rolled back. The gate is opened wide here so
 * that a model trained for one or two steps reaches the smoke test, which it cannot pass.
 */
@SpringBootTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SmokeTestRollbackTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CaravanTestProperties.register(registry);
        registry.add("caravan.pipelines.mnist.gate.min", () -> "0");
        registry.add("caravan.pipelines.mnist.gate.tolerance", () -> "1");
    }

    @Autowired
    RetrainLauncher launcher;

    @Autowired
    RunStore runs;

    @Autowired
    ModelRegistry registry;

    @Autowired
    ServingBackend serving;

    @Autowired
    ObjectStore store;

    @Autowired
    SnapshotStore snapshots;

    @Autowired
    PipelineCatalog pipelines;

    private String snapshot;

    @BeforeAll
    void uploadData() {
        S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
        MnistUploads.uploadAll(store, data);
        snapshot = snapshots.freeze(pipelines.resolve("mnist")).hash();
    }

    @Test
    @Order(1)
    void aFirstModelThatFailsTheSmokeTestIsNotLeftServing() {
        Run run = launch(Map.of("trainSteps", "1"));

        assertThat(run.status()).isEqualTo("FAILED");
        assertThat(run.message()).startsWith("smokeTest: smoke test of version 1 failed")
                .contains("no version served before it");
        assertThat(serving.servingVersion("mnist")).isEmpty();
        assertThat(registry.find("mnist", 1).orElseThrow().state()).isEqualTo(State.REJECTED);
    }

    @Test
    @Order(2)
    void aGoodModelIsPromoted() {
        Run run = launch(Map.of());

        assertThat(run.outcome()).as(run.message()).isEqualTo("PROMOTED");
        assertThat(serving.servingVersion("mnist")).hasValue(2);
    }

    @Test
    @Order(3)
    void aModelThatFailsTheSmokeTestIsRolledBackAndThePreviousVersionKeepsAnswering() {
        Run run = launch(Map.of("trainSteps", "2"));

        assertThat(run.status()).isEqualTo("FAILED");
        assertThat(run.message()).startsWith("smokeTest: smoke test of version 3 failed")
                .endsWith("serving rolled back to version 2");
        assertThat(serving.servingVersion("mnist")).hasValue(2);
        assertThat(registry.serving("mnist").orElseThrow().version()).isEqualTo(2);
        assertThat(registry.find("mnist", 3).orElseThrow().state()).isEqualTo(State.REJECTED);
        assertThat(registry.find("mnist", 3).orElseThrow().reason()).startsWith("smoke test failed");
        try (PredictClient client = new PredictClient(serving.endpoint("mnist").host(), serving.endpoint("mnist").grpcPort())) {
            PredictClient.Prediction answer = client.predict("mnist", OptionalLong.empty(), SampleDigits.load().get(0).pixels());
            assertThat(answer.version()).isEqualTo(2);
            assertThat(answer.digit()).isEqualTo(7);
        }
    }

    private Run launch(Map<String, String> settings) {
        JobExecution execution = launcher.launch("mnist", snapshot, settings);
        return runs.find(RunNames.of(execution.getJobParameters())).orElseThrow();
    }
}
