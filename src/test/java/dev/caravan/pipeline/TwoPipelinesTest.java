package dev.caravan.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.registry.ModelRegistry;
import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.testutil.MnistData;
import dev.caravan.smoketest.PredictClient;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;
import dev.caravan.testutil.PredictRequests;

/**
 * Two pipelines on one Caravan: {@code mnist} from config/pipelines/mnist.yaml, and {@code fashion}, a second IDX
 * pipeline with the built-in MLP in a bucket of its own whose data is MNIST with every label mirrored (9 - digit), so that each model can
 * only answer right if it was trained on its own pipeline's data. A drop under each prefix starts only that
 * pipeline's run; both models serve side by side over gRPC and REST; a failed run of one leaves the other serving.
 */
@SpringBootTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoPipelinesTest {

    private static final S3Location MNIST = S3Location.parse("s3://tfmnist/data/mnist/");
    private static final S3Location FASHION = S3Location.parse("s3://fashion/data/fashion/");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CaravanTestProperties.register(registry);
        String fashion = "caravan.pipelines.fashion.";
        registry.add(fashion + "model", () -> "fashion");
        registry.add(fashion + "source.bucket", () -> FASHION.bucket());
        registry.add(fashion + "source.prefix", () -> FASHION.key());
        registry.add(fashion + "trainer.builtin", () -> "mnist-mlp");
        registry.add(fashion + "trainer.parameters.trainSteps", () -> "400");
        registry.add(fashion + "trainer.parameters.batchSize", () -> "100");
        registry.add(fashion + "trainer.timeout", () -> "5m");
        registry.add(fashion + "gate.min", () -> "0.8");
    }

    @Autowired
    ObjectStore store;

    @Autowired
    RunStore runs;

    @Autowired
    ModelRegistry registry;

    @Autowired
    ServingBackend serving;

    @Test
    @Order(1)
    void aDropUnderEachPrefixStartsOnlyThatPipelinesRunAndBothModelsServe() throws Exception {
        // given: MNIST under the mnist prefix
        MnistUploads.uploadAll(store, MNIST);
        MnistUploads.marker(store, MNIST);
        Run mnist = awaitEnded("mnist", 1);
        assertThat(runsOf("fashion")).isEmpty();

        // when: the mirrored set under the fashion prefix, in its own bucket
        uploadMirrored(FASHION);
        MnistUploads.marker(store, FASHION);
        Run fashion = awaitEnded("fashion", 1);

        // then: one run each, each promoted, and each model answers the first test digit (a 7) its own way
        assertThat(List.of(mnist.outcome(), fashion.outcome())).as(mnist.message() + " / " + fashion.message())
                .containsOnly("PROMOTED");
        assertThat(runsOf("mnist")).hasSize(1);
        assertThat(registry.serving("mnist").orElseThrow().version()).isEqualTo(1);
        assertThat(registry.serving("fashion").orElseThrow().version()).isEqualTo(1);
        assertThat(registry.serving("fashion").orElseThrow().export().bucket()).isEqualTo("fashion");
        assertThat(grpcDigit("mnist")).isEqualTo(7);
        assertThat(grpcDigit("fashion")).isEqualTo(2);
        assertThat(restDigit("mnist")).isEqualTo(7);
        assertThat(restDigit("fashion")).isEqualTo(2);
    }

    @Test
    @Order(2)
    void aFailedRunOfOnePipelineLeavesBothModelsServing() throws Exception {
        store.put(FASHION.resolve("train-labels-idx1-ubyte.gz"), MnistUploads.labelsWith(60000, 7, 12));

        MnistUploads.marker(store, FASHION);

        Run failed = awaitEnded("fashion", 2);
        assertThat(failed.status()).isEqualTo("FAILED");
        assertThat(failed.message()).startsWith("validateData: s3://fashion/data/fashion/train-labels-idx1-ubyte.gz");
        assertThat(runsOf("mnist")).hasSize(1);
        assertThat(serving.servingVersion("fashion")).hasValue(1);
        assertThat(grpcDigit("fashion")).isEqualTo(2);
        assertThat(grpcDigit("mnist")).isEqualTo(7);
    }

    private List<Run> runsOf(String model) {
        return runs.list(null, model, null, 100);
    }

    private Run awaitEnded(String model, int count) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200)).until(
                () -> runsOf(model).size() >= count && runsOf(model).get(0).endedAt() != null);
        return runsOf(model).get(0);
    }

    private int grpcDigit(String model) {
        ServingEndpoint endpoint = serving.endpoint(model);
        try (PredictClient client = new PredictClient(endpoint.host(), endpoint.grpcPort())) {
            return client.predict(model, OptionalLong.empty(), MnistData.test(1).images()[0]).digit();
        }
    }

    private int restDigit(String model) throws IOException, InterruptedException {
        ServingEndpoint endpoint = serving.endpoint(model);
        String body = PredictRequests.image(MnistData.test(1).images()[0]).toString();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                        + endpoint.host() + ":" + endpoint.restPort() + "/v1/models/" + model + ":predict"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode prediction = new ObjectMapper().readTree(answer.body()).path("predictions").get(0);
        return prediction.path("classes").asInt();
    }

    /** The MNIST files with every label mirrored: the digit d is labelled 9 - d. */
    private void uploadMirrored(S3Location prefix) {
        for (String file : MnistUploads.FILES) {
            byte[] content = MnistUploads.read(file);
            if (file.contains("labels")) {
                byte[] raw = gunzip(content);
                for (int i = 8; i < raw.length; i++) {
                    raw[i] = (byte) (9 - raw[i]);
                }
                content = MnistUploads.gzip(raw);
            }
            store.put(prefix.resolve(file), content);
        }
    }

    private static byte[] gunzip(byte[] gzipped) {
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gzipped));
             ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
