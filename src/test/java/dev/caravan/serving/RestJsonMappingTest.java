package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.testutil.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat32;

/** TensorFlow Serving's JSON mapping: NaN and Infinity for floats, exact conversion for every other dtype. */
class RestJsonMappingTest {

    // Reads what TensorFlow Serving and Python's json module write: NaN, Infinity and -Infinity as bare tokens.
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final ModelSpec MODEL = ModelSpec.newBuilder().setName("m").build();

    @TempDir
    static Path work;
    static TestServer server;
    static HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = TestServer.start(work);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void acceptsNanAndInfinityForAFloatInputAndWritesNanBack() throws Exception {
        // given an image whose first pixels are NaN, Infinity and -Infinity, as json.dumps writes them
        String body = "{\"instances\": [" + image("NaN, Infinity, -Infinity") + "]}";

        // when
        HttpResponse<String> response = predict(body);

        // then every score of the linear model is NaN, written as TensorFlow Serving writes it
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("NaN").doesNotContain("\"NaN\"");
        JsonNode scores = JSON.readTree(response.body()).at("/predictions/0/predictions");
        assertThat(scores).hasSize(10);
        scores.forEach(score -> assertThat(score.doubleValue()).isNaN());
    }

    @Test
    void writesNonFiniteOutputsAsBareTokens() throws Exception {
        try (TFloat32 tensor = TFloat32.vectorOf(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.5f)) {
            TensorSpec spec = new TensorSpec("scores", null, DataType.DT_FLOAT, new long[] {4});

            String body = new String(RestApi.outputs(false, List.of(spec), List.of(OutputSlice.whole(tensor))),
                    StandardCharsets.UTF_8);

            assertThat(body).isEqualTo("{\"outputs\":[NaN,Infinity,-Infinity,0.5]}");
        }
    }

    @Test
    void integerInputsRefuseNanAndInfinity() {
        PredictRequestJson request = PredictRequestJson.parse("{\"inputs\": [1, NaN, 3]}");

        assertThatThrownBy(() -> request.toProto(MODEL, Map.of("ids", DataType.DT_INT32)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("input 'ids' is DT_INT32, which cannot hold NaN; NaN, Infinity and -Infinity are only "
                        + "for DT_FLOAT and DT_DOUBLE inputs");
        assertThatThrownBy(() -> PredictRequestJson.parse("{\"inputs\": [-Infinity]}")
                .toProto(MODEL, Map.of("ids", DataType.DT_INT64)))
                .hasMessageContaining("DT_INT64, which cannot hold -Infinity");
    }

    @Test
    void integerInputsRefuseFractionsAndValuesOutOfRange() {
        assertThatThrownBy(() -> PredictRequestJson.parse("{\"inputs\": [1, 2.5]}")
                .toProto(MODEL, Map.of("ids", DataType.DT_INT32)))
                .hasMessage("input 'ids' is DT_INT32, which takes whole numbers written without a fraction or "
                        + "exponent, not 2.5");
        assertThatThrownBy(() -> PredictRequestJson.parse("{\"inputs\": [3000000000]}")
                .toProto(MODEL, Map.of("ids", DataType.DT_INT32)))
                .hasMessage("input 'ids' is DT_INT32, which holds -2147483648..2147483647, not 3000000000");
        assertThatThrownBy(() -> PredictRequestJson.parse("{\"inputs\": [-1, 200]}")
                .toProto(MODEL, Map.of("pixels", DataType.DT_UINT8)))
                .hasMessage("input 'pixels' is DT_UINT8, which holds 0..255, not -1");
    }

    @Test
    void int64InputsKeepEveryDigit() {
        PredictRequest request = PredictRequestJson.parse("{\"inputs\": [9007199254740993, -9223372036854775808]}")
                .toProto(MODEL, Map.of("ids", DataType.DT_INT64));

        assertThat(request.getInputsOrThrow("ids").getInt64ValList())
                .containsExactly(9007199254740993L, Long.MIN_VALUE);
    }

    @Test
    void decimalsReadAsJavaParsesThem() {
        // given plain decimals of every length, exponents, and the edges of a double's exact digits
        List<String> decimals = new ArrayList<>(List.of("0.1", "-0.0", "0.32941177", "0.30000000000000004",
                "123456789012345.6", "999999999999999.9", "0.000000000000000000000001", "1.7976931348623157e308",
                "4.9E-324", "2.2250738585072014E-308", "9007199254740993.0", "-1.5", "100.25"));
        Random random = new Random(13);
        for (int i = 0; i < 2000; i++) {
            String digits = Long.toString(random.nextLong() & Long.MAX_VALUE);
            int point = 1 + random.nextInt(digits.length());
            decimals.add((random.nextBoolean() ? "-" : "") + digits.substring(0, point) + "."
                    + (point == digits.length() ? "0" : digits.substring(point)));
            String fraction = digits.substring(0, 1 + random.nextInt(digits.length()));
            decimals.add("0." + "0".repeat(random.nextInt(8)) + fraction);
        }

        // when they are sent for a DT_DOUBLE input
        PredictRequest request = PredictRequestJson.parse("{\"inputs\": [" + String.join(", ", decimals) + "]}")
                .toProto(MODEL, Map.of("x", DataType.DT_DOUBLE));

        // then each is the double Java's own parser makes of it, bit for bit
        List<Double> read = request.getInputsOrThrow("x").getDoubleValList();
        for (int i = 0; i < decimals.size(); i++) {
            assertThat(Double.doubleToRawLongBits(read.get(i))).as(decimals.get(i))
                    .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(decimals.get(i))));
        }
    }

    @Test
    void floatInputsRefuseIntegersTheyWouldRound() {
        assertThatThrownBy(() -> PredictRequestJson.parse("{\"inputs\": [16777217]}")
                .toProto(MODEL, Map.of("x", DataType.DT_FLOAT)))
                .hasMessageContaining("DT_FLOAT, which cannot hold 16777217 without losing precision");
        assertThatThrownBy(() -> PredictRequestJson.parse("{\"inputs\": [1e39]}")
                .toProto(MODEL, Map.of("x", DataType.DT_FLOAT)))
                .hasMessageContaining("DT_FLOAT, which cannot hold 1.0E39");
    }

    @Test
    void booleansAndNumbersKeepToTheirDtypes() {
        assertThatThrownBy(() -> PredictRequestJson.parse("{\"inputs\": [1, 0]}")
                .toProto(MODEL, Map.of("mask", DataType.DT_BOOL)))
                .hasMessage("input 'mask' is DT_BOOL, which takes true and false, not numbers");
        assertThat(PredictRequestJson.parse("{\"inputs\": [true, false]}")
                .toProto(MODEL, Map.of("mask", DataType.DT_BOOL)).getInputsOrThrow("mask").getBoolValList())
                .containsExactly(true, false);
    }

    @Test
    void answers400ForABooleanInAFloatInput() throws Exception {
        HttpResponse<String> response = predict("{\"instances\": [" + image("true") + "]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText())
                .isEqualTo("input 'x' is DT_FLOAT, which takes numbers, not true or false");
    }

    @Test
    void answers400ForASignatureNameThatIsNotAString() throws Exception {
        HttpResponse<String> response = predict("{\"signature_name\": 1, \"instances\": [" + image("0") + "]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText())
                .isEqualTo("\"signature_name\" must be a string, as in \"serving_default\", not 1");
    }

    // A 28x28 image of zeros whose first pixels are the given JSON values.
    private static String image(String firstPixels) {
        int given = firstPixels.split(",").length;
        StringBuilder pixels = new StringBuilder(firstPixels);
        for (int i = given; i < 28 * 28; i++) {
            pixels.append(", 0");
        }
        String[] values = pixels.toString().split(", *");
        StringBuilder rows = new StringBuilder("[");
        for (int r = 0; r < 28; r++) {
            rows.append(r == 0 ? "[" : ", [").append(String.join(", ", List.of(values).subList(r * 28, r * 28 + 28)))
                    .append("]");
        }
        return rows.append("]").toString();
    }

    private static HttpResponse<String> predict(String body) throws Exception {
        URI uri = URI.create("http://" + server.endpoint().host() + ":" + server.endpoint().restPort()
                + "/v1/models/mnist:predict");
        return http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
