package dev.caravan.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.caravan.registry.ModelHistory;
import dev.caravan.registry.ModelOperations;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;

/** Models over HTTP: versions with their lineage, promotion, rollback, and predictions through the model server. */
@RestController
@RequestMapping("/api/models")
class ModelController {

    /** A model and the version it serves. */
    record ModelSummary(String name, Long servingVersion, Double servingAccuracy, int versions) {
    }

    static final String MODEL_VERSION = "X-Model-Version";

    private final ModelRegistry registry;
    private final ModelOperations operations;
    private final ModelHistory history;
    private final ServingBackend serving;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ModelController(ModelRegistry registry, ModelOperations operations, ModelHistory history, ServingBackend serving) {
        this.registry = registry;
        this.operations = operations;
        this.history = history;
        this.serving = serving;
    }

    @GetMapping
    List<ModelSummary> list() {
        return registry.models().stream().map(name -> {
            ModelVersion served = registry.serving(name).orElse(null);
            return new ModelSummary(name, served == null ? null : served.version(),
                    served == null ? null : served.accuracy(), registry.versions(name).size());
        }).toList();
    }

    /** Every version, newest first, with the run and data snapshot it came from and when and why it was promoted. */
    @GetMapping("/{name}")
    List<ModelVersion> versions(@PathVariable String name) {
        List<ModelVersion> versions = registry.versions(name);
        if (versions.isEmpty()) {
            throw new ModelOperations.ModelNotFoundException(name);
        }
        return versions;
    }

    /** Every change of the version served, oldest first: promotions and rollbacks, with who or what made them. */
    @GetMapping("/{name}/history")
    List<ModelHistory.Change> history(@PathVariable String name) {
        versions(name);
        return history.of(name);
    }

    @PostMapping("/{name}/versions/{version}/promote")
    ModelVersion promote(@PathVariable String name, @PathVariable long version) {
        return operations.promote(name, version, "the API");
    }

    @PostMapping("/{name}/rollback")
    ModelVersion rollBack(@PathVariable String name) {
        return operations.rollBack(name, "the API");
    }

    /**
     * Forwards a TensorFlow Serving REST predict request to the model server and answers with its answer, with the
     * version that answered in {@value #MODEL_VERSION} where the model server names it (Caravan's own does).
     */
    @PostMapping(value = "/{name}:predict", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> predict(@PathVariable String name, @RequestBody String body) throws IOException, InterruptedException {
        ServingEndpoint endpoint = serving.endpoint(name);
        URI uri = URI.create("http://" + endpoint.host() + ":" + endpoint.restPort() + "/v1/models/" + name + ":predict");
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        ResponseEntity.BodyBuilder response = ResponseEntity.status(answer.statusCode())
                .contentType(MediaType.APPLICATION_JSON);
        answer.headers().firstValue(MODEL_VERSION).ifPresent(version -> response.header(MODEL_VERSION, version));
        return response.body(answer.body());
    }
}
