package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.serving.testutil.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every refusal of the REST server is {@code {"error": "..."}} with Content-Type application/json. */
class RestErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREDICT = "/v1/models/mnist:predict";

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
    void answers413FromTheHeadersBeforeAnOversizeBodyIsSent() throws Exception {
        // given a request that declares 100 MiB and sends none of it
        Raw answer = raw("POST " + PREDICT + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + (100L << 20) + "\r\n\r\n");

        assertThat(answer.status).isEqualTo(413);
        assertThat(answer.headers).containsEntry("content-type", "application/json");
        assertThat(answer.error()).isEqualTo("the request body is 104857600 bytes; this model server takes at most "
                + "67108864 bytes (64 MiB) per request. Send fewer instances per request, splitting the batch over "
                + "several requests");
    }

    @Test
    void answers413InsteadOf100ContinueForAnOversizeBody() throws Exception {
        Raw answer = raw("POST " + PREDICT + " HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                + "Content-Length: " + (65L << 20) + "\r\n\r\n");

        assertThat(answer.status).isEqualTo(413);
        assertThat(answer.headers).containsEntry("content-type", "application/json");
        assertThat(answer.error()).startsWith("the request body is 68157440 bytes; this model server takes at most");
    }

    @Test
    void answers404ForAnUnknownPath() throws Exception {
        HttpResponse<String> response = send(request("/v2/models/mnist/infer").GET());

        assertError(response, 404, "no such resource: /v2/models/mnist/infer; the API is /v1/models/{name}"
                + "[/versions/{version} | /labels/{label}][:predict | /metadata]");
    }

    @Test
    void answers405WithAllowForAWrongMethod() throws Exception {
        HttpResponse<String> predict = send(request(PREDICT).GET());
        HttpResponse<String> status = send(request("/v1/models/mnist").POST(HttpRequest.BodyPublishers.ofString("{}")));

        assertError(predict, 405, "GET " + PREDICT + " is not supported; use POST with a JSON body");
        assertThat(predict.headers().firstValue("allow")).hasValue("POST");
        assertError(status, 405, "POST /v1/models/mnist is not supported; use GET");
        assertThat(status.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    void answers400ForBadJsonWithoutNamingParserSettings() throws Exception {
        HttpResponse<String> response = send(request(PREDICT).POST(
                HttpRequest.BodyPublishers.ofString("{\"instances\": [+1]}")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(error(response)).startsWith("the request body is not valid JSON at line 1, column ")
                .endsWith("; send a JSON object such as {\"instances\": [...]}")
                .doesNotContain("enable", "Feature");
    }

    @Test
    void answers400ForAnUnreadableHttpRequest() throws Exception {
        Raw answer = raw("POST " + PREDICT + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: nine\r\n\r\n");

        assertThat(answer.status).isEqualTo(400);
        assertThat(answer.headers).containsEntry("content-type", "application/json");
        assertThat(answer.error()).startsWith("the HTTP request cannot be read (");
    }

    @Test
    void answers415ForAnEncodingItCannotRead() throws Exception {
        HttpResponse<String> response = send(request(PREDICT).header("Content-Encoding", "compress")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

        assertError(response, 415, "Content-Encoding: compress is not supported; send the JSON body uncompressed "
                + "or with gzip or deflate");
    }

    @Test
    void readsAGzipBody() throws Exception {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
            out.write(JSON.writeValueAsBytes(Map.of("instances", new float[1][28][28])));
        }

        HttpResponse<String> response = send(request(PREDICT).header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray())));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("predictions")).hasSize(1);
    }

    private static void assertError(HttpResponse<String> response, int status, String error) throws IOException {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(error(response)).isEqualTo(error);
    }

    private static String error(HttpResponse<String> response) throws IOException {
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("error");
        return body.get("error").asText();
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://" + server.endpoint().host() + ":"
                + server.endpoint().restPort() + path));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private record Raw(int status, Map<String, String> headers, String body) {

        String error() throws IOException {
            JsonNode json = JSON.readTree(body);
            assertThat(json.fieldNames()).toIterable().containsExactly("error");
            return json.get("error").asText();
        }
    }

    // Writes the request's bytes as they are, which no HTTP client would, and reads one response.
    private static Raw raw(String request) throws IOException {
        try (Socket socket = new Socket(server.endpoint().host(), server.endpoint().restPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String statusLine = line(in);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
            byte[] body = new byte[Integer.parseInt(headers.getOrDefault("content-length", "0"))];
            in.readFully(body);
            return new Raw(Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n' && c >= 0; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
