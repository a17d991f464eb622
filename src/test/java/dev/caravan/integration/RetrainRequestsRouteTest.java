package dev.caravan.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.verifyNoInteractions;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.pipeline.RetrainCoordinator.Admission;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.testutil.Pipelines;

/**
 * {@code direct:caravan-retrain} from {@code routes/retrain-requests.camel.yaml}, the one way a route asks for a
 * retrain: what it sends reaches {@link RunOperations#submit(String, Map, String)}, and the sender gets the submission
 * back, or the reason its request was refused.
 */
@CamelSpringBootTest
@SpringBootTest(classes = RetrainRequestsRouteTest.RetrainRequestsRoute.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"camel.main.routes-include-pattern=file:${user.dir}/routes/errors.camel.yaml,"
                + "file:${user.dir}/routes/retrain-requests.camel.yaml", "logging.file.name="})
class RetrainRequestsRouteTest {

    private static final String RETRAIN = "direct:caravan-retrain";
    private static final PipelineCatalog PIPELINES = Pipelines.catalog(Pipelines.mnistAndFashion());

    /** The route and the bean it calls; the run operations behind it are a mock. */
    // Not a @Configuration: benchmarks run Caravan with the test classes on the class path, and its component scan
    // must not find this context's beans.
    @ImportAutoConfiguration({CamelAutoConfiguration.class, JacksonAutoConfiguration.class})
    @Import(RetrainRequests.class)
    static class RetrainRequestsRoute {
    }

    @Autowired
    ProducerTemplate template;

    @MockitoBean
    RunOperations operations;

    /** Submissions are checked as the pipelines check them: an unknown pipeline or a bad parameter is refused. */
    @BeforeEach
    void submissionsCheckedByThePipelines() {
        given(operations.submit(any(), anyMap(), anyString())).willAnswer(call -> {
            PipelineDefinition pipeline = PIPELINES.resolve(call.getArgument(0));
            pipeline.parameters(call.getArgument(1));
            return new RunOperations.Submission(pipeline.model() + "-5d41402abc", pipeline.model(), "2c26b46b68", 4,
                    Admission.STARTED);
        });
    }

    @Test
    void aRequestReachesTheSubmissionWithItsSettingsAndIsAnsweredWithTheRun() {
        // when
        Map<String, Object> answer = answerTo("{\"pipeline\": \"mnist\", \"trainSteps\": 2000}", Map.of());

        // then
        then(operations).should().submit("mnist", Map.of("trainSteps", "2000"), "route");
        assertThat(answer).containsEntry("run", "mnist-5d41402abc").containsEntry("model", "mnist")
                .containsEntry("snapshot", "2c26b46b68").containsEntry("objects", 4).containsEntry("admission", "STARTED");
    }

    @Test
    void thePipelineAndTheOriginMayComeAsHeadersWithAMapOfSettings() {
        Map<String, Object> answer = answerTo(Map.of("learningRate", 0.005),
                Map.of("CaravanPipeline", "fashion", "CaravanOrigin", "nightly export job"));

        then(operations).should().submit("fashion", Map.of("learningRate", "0.005"), "nightly export job");
        assertThat(answer).containsEntry("model", "fashion");
    }

    @Test
    void aBadParameterIsAnsweredWithTheReason() {
        Exchange answer = send("{\"pipeline\": \"mnist\", \"epochs\": 3}");

        assertThat(answer.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown parameter 'epochs'; this pipeline's trainer takes [trainSteps, batchSize, "
                        + "learningRate, learningRateSchedule, workers, ps, syncReplicas]");
    }

    @Test
    void aValueOutOfRangeIsAnsweredWithTheRangeItMayTake() {
        Exchange answer = send("{\"pipeline\": \"mnist\", \"trainSteps\": -5}");

        assertThat(answer.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("parameter trainSteps=-5 is out of range; give ");
    }

    @Test
    void anUnknownPipelineIsAnsweredWithThePipelinesThereAre() {
        Exchange answer = send("{\"pipeline\": \"cifar\"}");

        assertThat(answer.getException()).isInstanceOf(PipelineCatalog.UnknownPipelineException.class)
                .hasMessage("there is no pipeline or model named 'cifar'; the pipelines are fashion, mnist "
                        + "(config/pipelines/<name>.yaml)");
    }

    @Test
    void aBodyThatIsNoJsonObjectIsAnsweredWithHowToWriteOne() {
        Exchange answer = send("trainSteps=2000");

        assertThat(answer.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("a retrain request's body must be a JSON object of training settings, such as "
                        + "{\"trainSteps\": 2000}: ");
        verifyNoInteractions(operations);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> answerTo(Object body, Map<String, Object> headers) {
        return template.requestBodyAndHeaders(RETRAIN, body, headers, Map.class);
    }

    private Exchange send(String body) {
        return template.request(RETRAIN, exchange -> exchange.getMessage().setBody(body));
    }
}
