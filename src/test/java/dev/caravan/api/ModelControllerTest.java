package dev.caravan.api;

import static dev.caravan.api.testutil.ApiCalls.withToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import com.sun.net.httpserver.HttpServer;

import dev.caravan.api.testutil.ApiCalls;
import dev.caravan.registry.ModelHistory;
import dev.caravan.registry.ModelOperations;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.registry.ModelVersion.State;
import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.ServingException;
import dev.caravan.storage.S3Location;

/** Models over HTTP: their versions, promotion and rollback by hand, and predictions passed to the model server. */
@WebMvcTest(controllers = ModelController.class,
        properties = {"caravan.api.token=" + ApiCalls.TOKEN, "logging.file.name="})
@Import(ApiToken.class)
@ConfigurationPropertiesScan("dev.caravan")
class ModelControllerTest {

    @Autowired
    MockMvc mvc;

    @MockitoBean
    ModelRegistry registry;

    @MockitoBean
    ModelOperations operations;

    @MockitoBean
    ModelHistory history;

    @MockitoBean
    ServingBackend serving;

    @Test
    void theListShowsEachModelWithTheVersionItServes() throws Exception {
        given(registry.models()).willReturn(List.of("fashion", "mnist"));
        given(registry.serving("mnist")).willReturn(Optional.of(version(2, State.SERVING, 0.981)));
        given(registry.versions("mnist")).willReturn(servedTwice());
        given(registry.versions("fashion")).willReturn(List.of(version("fashion", 1, State.REJECTED, 0.41)));

        mvc.perform(get("/api/models"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].name").value("fashion"))
                .andExpect(jsonPath("$[0].servingVersion").doesNotExist())
                .andExpect(jsonPath("$[0].versions").value(1))
                .andExpect(jsonPath("$[1].name").value("mnist"))
                .andExpect(jsonPath("$[1].servingVersion").value(2))
                .andExpect(jsonPath("$[1].servingAccuracy").value(0.981))
                .andExpect(jsonPath("$[1].versions").value(2));
    }

    @Test
    void aModelShowsItsVersionsNewestFirstWithTheirLineage() throws Exception {
        given(registry.versions("mnist")).willReturn(servedTwice());

        mvc.perform(get("/api/models/mnist"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].version").value(2))
                .andExpect(jsonPath("$[0].state").value("SERVING"))
                .andExpect(jsonPath("$[0].runName").value("mnist-run-2"))
                .andExpect(jsonPath("$[0].snapshot").value("snapshot-2"))
                .andExpect(jsonPath("$[1].version").value(1))
                .andExpect(jsonPath("$[1].state").value("RETIRED"));
    }

    @Test
    void anUnknownModelIsNotFoundAndTheAnswerSaysHowToListThem() throws Exception {
        given(registry.versions("nope")).willReturn(List.of());

        mvc.perform(get("/api/models/nope"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Not found"))
                .andExpect(jsonPath("$.detail").value("no model named 'nope'; list the models with: caravan models"));
    }

    @Test
    void promotingAVersionServesItAndAnswersItsNewState() throws Exception {
        given(operations.promote("mnist", 1, "the API")).willReturn(version(1, State.SERVING, 0.975));

        mvc.perform(post("/api/models/mnist/versions/1/promote").with(withToken()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.version").value(1))
                .andExpect(jsonPath("$.state").value("SERVING"));

        then(operations).should().promote("mnist", 1, "the API");
    }

    @Test
    void promotingAVersionThatDoesNotExistIsNotFound() throws Exception {
        given(operations.promote("mnist", 9, "the API")).willThrow(new ModelOperations.ModelNotFoundException("mnist", 9));

        mvc.perform(post("/api/models/mnist/versions/9/promote").with(withToken()))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail").value("model mnist has no version 9; list its versions with: caravan "
                        + "models mnist"));
    }

    @Test
    void aVersionNumberThatIsNoNumberIsABadRequest() throws Exception {
        mvc.perform(post("/api/models/mnist/versions/latest/promote").with(withToken()))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));

        verifyNoInteractions(operations);
    }

    @Test
    void aVersionTheModelServerCannotLoadIsABadGatewayThatSaysWhy() throws Exception {
        String reason = "version 1 of mnist cannot be loaded from s3://tfmnist/models/mnist/1/: no saved_model.pb";
        given(operations.promote("mnist", 1, "the API")).willThrow(new ServingException(reason));

        mvc.perform(post("/api/models/mnist/versions/1/promote").with(withToken()))
                .andExpect(status().isBadGateway())
                .andExpect(jsonPath("$.title").value("Model server failed"))
                .andExpect(jsonPath("$.detail").value(reason));
    }

    @Test
    void rollingBackWithNothingToRollBackToIsAConflictThatSaysWhy() throws Exception {
        String reason = "model mnist has no earlier version to roll back to; version 1 is the only one that served";
        given(operations.rollBack("mnist", "the API")).willThrow(new IllegalStateException(reason));

        mvc.perform(post("/api/models/mnist/rollback").with(withToken()))
                .andExpect(status().isConflict())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(reason));
    }

    @Test
    void rollingBackServesThePreviousVersion() throws Exception {
        given(operations.rollBack("mnist", "the API")).willReturn(version(1, State.SERVING, 0.975));

        mvc.perform(post("/api/models/mnist/rollback").with(withToken()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.version").value(1));
    }

    @Test
    void promotionAndRollbackNeedTheToken() throws Exception {
        mvc.perform(post("/api/models/mnist/versions/1/promote")).andExpect(status().isUnauthorized());
        mvc.perform(post("/api/models/mnist/rollback")).andExpect(status().isUnauthorized());

        verifyNoInteractions(operations);
    }

    @Test
    void aPredictionIsTheModelServersAnswerToTheSameRequestWithTheVersionThatAnsweredAndNeedsNoTokenLocally()
            throws Exception {
        AtomicReference<String> received = new AtomicReference<>();
        HttpServer modelServer = modelServer(received, 200, "{\"predictions\": [[0.01, 0.99]]}");
        try {
            given(serving.endpoint("mnist")).willReturn(new ServingEndpoint("127.0.0.1", 0,
                    modelServer.getAddress().getPort()));

            mvc.perform(post("/api/models/mnist:predict").contentType(MediaType.APPLICATION_JSON)
                            .content("{\"instances\": [[0.0, 1.0]]}"))
                    .andExpect(status().isOk())
                    .andExpect(header().string("X-Model-Version", "7"))
                    .andExpect(content().contentType(MediaType.APPLICATION_JSON))
                    .andExpect(content().json("{\"predictions\": [[0.01, 0.99]]}"));

            assertThat(received.get()).isEqualTo("POST /v1/models/mnist:predict {\"instances\": [[0.0, 1.0]]}");
        } finally {
            modelServer.stop(0);
        }
    }

    @Test
    void aPredictionTheModelServerRefusesKeepsItsStatusAndReason() throws Exception {
        HttpServer modelServer = modelServer(new AtomicReference<>(), 400, "{\"error\": \"input x must be [-1,28,28]\"}");
        try {
            given(serving.endpoint("mnist")).willReturn(new ServingEndpoint("127.0.0.1", 0,
                    modelServer.getAddress().getPort()));

            mvc.perform(post("/api/models/mnist:predict").with(withToken()).contentType(MediaType.APPLICATION_JSON)
                            .content("{\"instances\": [1]}"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.error").value("input x must be [-1,28,28]"));
        } finally {
            modelServer.stop(0);
        }
    }

    /** A stand-in for the model server's REST port: records the request and gives one answer. */
    private static HttpServer modelServer(AtomicReference<String> received, int status, String answer) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/models/", exchange -> {
            received.set(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Model-Version", "7");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** Version 2 serving, version 1 before it: newest first, as the registry lists them. */
    private static List<ModelVersion> servedTwice() {
        return List.of(version(2, State.SERVING, 0.981), version(1, State.RETIRED, 0.975));
    }

    private static ModelVersion version(long version, State state, double accuracy) {
        return version("mnist", version, state, accuracy);
    }

    private static ModelVersion version(String model, long version, State state, double accuracy) {
        Instant created = Instant.parse("2025-01-02T03:04:05Z").plusSeconds(3600 * version);
        return new ModelVersion(model, version, model + "-run-" + version, "snapshot-" + version,
                new S3Location("tfmnist", "models/" + model + "/" + version + "/"), accuracy, state, null, created,
                state == State.SERVING ? created : null, null);
    }
}
