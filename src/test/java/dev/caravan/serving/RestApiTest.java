package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.serving.testutil.MnistData;
import dev.caravan.serving.testutil.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API as TensorFlow Serving's documentation shows it. */
class RestApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    static TestServer server;
    static HttpClient http = HttpClient.newHttpClient();
    static MnistData.Digits digits = MnistData.test(2);

    @BeforeAll
    static void start() {
        server = TestServer.start(work);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void predictsInstancesInRowFormat() throws Exception {
        Answer answer = post("/v1/models/mnist:predict", Map.of("instances", new float[][][] {image(0), image(1)}));

        assertThat(answer.status).isEqualTo(200);
        JsonNode predictions = answer.json.get("predictions");
        assertThat(predictions).hasSize(2);
        assertThat(predictions.get(0).get("classes").asInt()).isEqualTo(digits.labels()[0]);
        assertThat(predictions.get(1).get("classes").asInt()).isEqualTo(digits.labels()[1]);
        assertThat(predictions.get(0).get("predictions")).hasSize(10);
        assertThat(answer.version).as("the version that answered").isEqualTo("1");
    }

    @Test
    void predictsNamedInputsInColumnarFormat() throws Exception {
        Answer answer = post("/v1/models/mnist/versions/1:predict",
                Map.of("signature_name", "serving_default", "inputs", Map.of("x", new float[][][] {image(0)})));

        assertThat(answer.status).isEqualTo(200);
        JsonNode outputs = answer.json.get("outputs");
        assertThat(outputs.get("classes").get(0).asInt()).isEqualTo(digits.labels()[0]);
        assertThat(outputs.get("predictions").get(0)).hasSize(10);
    }

    @Test
    void reportsStatusAsTensorFlowServingPrintsIt() throws Exception {
        Answer answer = get("/v1/models/mnist");

        assertThat(answer.status).isEqualTo(200);
        assertThat(answer.json).isEqualTo(JSON.readTree("""
                {"model_version_status": [{"version": "1", "state": "AVAILABLE",
                  "status": {"error_code": "OK", "error_message": ""}}]}"""));
    }

    @Test
    void describesTheSignatureInMetadata() throws Exception {
        Answer answer = get("/v1/models/mnist/versions/1/metadata");

        assertThat(answer.status).isEqualTo(200);
        assertThat(answer.json.at("/model_spec/name").asText()).isEqualTo("mnist");
        assertThat(answer.json.at("/model_spec/version").asText()).isEqualTo("1");
        JsonNode signature = answer.json.at("/metadata/signature_def/signature_def/serving_default");
        assertThat(signature.at("/method_name").asText()).isEqualTo("tensorflow/serving/predict");
        assertThat(signature.at("/inputs/x/dtype").asText()).isEqualTo("DT_FLOAT");
        assertThat(signature.at("/outputs/classes/dtype").asText()).isEqualTo("DT_UINT8");
    }

    @Test
    void answers404ForAnUnknownModel() throws Exception {
        Answer answer = post("/v1/models/fashion:predict", Map.of("instances", new float[][][] {image(0)}));

        assertThat(answer.status).isEqualTo(404);
        assertThat(answer.json.get("error").asText()).isEqualTo("Servable not found for request: Latest(fashion)");
    }

    @Test
    void answers404ForTheStatusOfAnUnknownModel() throws Exception {
        Answer answer = get("/v1/models/fashion");

        assertThat(answer.status).isEqualTo(404);
        assertThat(answer.json.get("error").asText()).isEqualTo("Could not find any versions of model fashion");
    }

    @Test
    void answers404ForAVersionNotLoaded() throws Exception {
        Answer answer = post("/v1/models/mnist/versions/3:predict", Map.of("instances", new float[][][] {image(0)}));

        assertThat(answer.status).isEqualTo(404);
        assertThat(answer.json.get("error").asText()).isEqualTo("Servable not found for request: Specific(mnist, 3)");
    }

    @Test
    void answers400ForAnUnknownInputName() throws Exception {
        Answer answer = post("/v1/models/mnist:predict", Map.of("inputs", Map.of("image", new float[][][] {image(0)})));

        assertThat(answer.status).isEqualTo(400);
        assertThat(answer.json.get("error").asText()).contains("input 'image' is not in signature 'serving_default'", "it takes x (DT_FLOAT [-1,28,28])");
    }

    @Test
    void answers400ForAWrongShape() throws Exception {
        Answer answer = post("/v1/models/mnist:predict", Map.of("instances", new float[][] {new float[784]}));

        assertThat(answer.status).isEqualTo(400);
        assertThat(answer.json.get("error").asText()).contains("input 'x' has shape [1,784]", "expects DT_FLOAT [-1,28,28]");
    }

    @Test
    void answers400ForAnUnknownSignature() throws Exception {
        Answer answer = post("/v1/models/mnist:predict",
                Map.of("signature_name", "classify", "instances", new float[][][] {image(0)}));

        assertThat(answer.status).isEqualTo(400);
        assertThat(answer.json.get("error").asText()).contains("signature 'classify'", "serving_default");
    }

    @Test
    void answers400ForBrokenJson() throws Exception {
        Answer answer = send(HttpRequest.newBuilder(uri("/v1/models/mnist:predict"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[1, 2")).build());

        assertThat(answer.status).isEqualTo(400);
        assertThat(answer.json.get("error").asText()).startsWith("the request body is not valid JSON");
    }

    private static float[][] image(int index) {
        float[][] rows = new float[28][28];
        for (int r = 0; r < 28; r++) {
            System.arraycopy(digits.images()[index], r * 28, rows[r], 0, 28);
        }
        return rows;
    }

    private record Answer(int status, JsonNode json, String version) {
    }

    private static Answer post(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
    }

    private static Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private static Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), JSON.readTree(response.body()),
                response.headers().firstValue("X-Model-Version").orElse(null));
    }

    private static URI uri(String path) {
        return URI.create("http://" + server.endpoint().host() + ":" + server.endpoint().restPort() + path);
    }
}
