package dev.caravan.api;

import static org.mockito.BDDMockito.given;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import dev.caravan.api.testutil.ApiCalls;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.Pipelines;

/** The pipelines as a client sees them: where their data lands, how they train and gate, and what they serve. */
@WebMvcTest(controllers = PipelineController.class,
        properties = {"caravan.api.token=" + ApiCalls.TOKEN, "logging.file.name="})
@Import(ApiToken.class)
@ConfigurationPropertiesScan("dev.caravan")
class PipelineControllerTest {

    private static final PipelineCatalog TWO_PIPELINES = Pipelines.catalog(Pipelines.mnistAndFashion());

    @Autowired
    MockMvc mvc;

    @MockitoBean
    PipelineCatalog pipelines;

    @MockitoBean
    ModelRegistry registry;

    @BeforeEach
    void twoPipelines() {
        given(pipelines.all()).willReturn(TWO_PIPELINES.all());
        given(pipelines.resolve("mnist")).willReturn(TWO_PIPELINES.resolve("mnist"));
        given(pipelines.resolve("nope")).willAnswer(call -> TWO_PIPELINES.resolve("nope"));
    }

    @Test
    void theListShowsEveryPipelineWithWhatItServes() throws Exception {
        given(registry.serving("mnist")).willReturn(Optional.of(new ModelVersion("mnist", 4, "mnist-run", "snap",
                new S3Location("tfmnist", "models/mnist/4/"), 0.98, ModelVersion.State.SERVING, null, Instant.now(),
                Instant.now(), null)));

        mvc.perform(get("/api/pipelines"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.length()").value(2))
                .andExpect(jsonPath("$[0].name").value("fashion"))
                .andExpect(jsonPath("$[0].source").value("s3://tfmnist/data/fashion/"))
                .andExpect(jsonPath("$[0].trainer").value("builtin mnist-mlp"))
                .andExpect(jsonPath("$[0].servingVersion").doesNotExist())
                .andExpect(jsonPath("$[1].name").value("mnist"))
                .andExpect(jsonPath("$[1].servingVersion").value(4));
    }

    @Test
    void aPipelineShowsItsSourceTrainerChecksAndGate() throws Exception {
        mvc.perform(get("/api/pipelines/mnist"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.model").value("mnist"))
                .andExpect(jsonPath("$.source").value("s3://tfmnist/data/mnist/"))
                .andExpect(jsonPath("$.marker").value("_SUCCESS"))
                .andExpect(jsonPath("$.quietPeriod").value("PT0S"))
                .andExpect(jsonPath("$.trainer").value("builtin mnist-cnn"))
                .andExpect(jsonPath("$.parameters.trainSteps").value("150"))
                .andExpect(jsonPath("$.validation").value("mnist-idx"))
                .andExpect(jsonPath("$.evaluation").value("mnist-idx"))
                .andExpect(jsonPath("$.gate.metric").value("accuracy"))
                .andExpect(jsonPath("$.gate.min").value(0.85));
    }

    @Test
    void anUnknownPipelineIsNotFoundAndTheAnswerNamesThePipelinesThereAre() throws Exception {
        mvc.perform(get("/api/pipelines/nope"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Not found"))
                .andExpect(jsonPath("$.detail").value("there is no pipeline or model named 'nope'; the pipelines are "
                        + "fashion, mnist (config/pipelines/<name>.yaml)"));
    }

    @Test
    void pipelinesAreReadOnly() throws Exception {
        mvc.perform(post("/api/pipelines").with(ApiCalls.withToken()))
                .andExpect(status().isMethodNotAllowed());
    }
}
