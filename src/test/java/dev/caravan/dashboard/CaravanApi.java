package dev.caravan.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Caravan's HTTP API as the dashboard's user could call it with curl: to set up a scenario and to check its effect. */
final class CaravanApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    CaravanApi(String base, String token) {
        this.base = base;
        this.token = token;
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    JsonNode post(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The new run's name: a resubmit of {@code run} with other settings. */
    String resubmit(String run, Map<String, String> parameters) {
        return post("api/runs/" + run + "/resubmit", Map.of("parameters", parameters)).path("run").asText();
    }

    JsonNode run(String run) {
        return get("api/runs/" + run).path("run");
    }

    /** The version the model serves according to GET /api/models, or 0 when it serves none. */
    long servingVersion(String model) {
        for (JsonNode entry : get("api/models")) {
            if (model.equals(entry.path("name").asText())) {
                return entry.path("servingVersion").asLong(0);
            }
        }
        return 0;
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(response.request().method() + " " + response.request().uri()
                        + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
