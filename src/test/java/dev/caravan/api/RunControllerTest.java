package dev.caravan.api;

import static dev.caravan.api.testutil.ApiCalls.fromAnotherMachine;
import static dev.caravan.api.testutil.ApiCalls.withToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import dev.caravan.api.testutil.ApiCalls;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.pipeline.RetrainCoordinator.Admission;
import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.RunOperations.Submission;
import dev.caravan.pipeline.RunQueries;
import dev.caravan.pipeline.RunStore;
import dev.caravan.pipeline.RunView;
import dev.caravan.pipeline.StepView;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.training.TrainingBackend;
import dev.caravan.training.TrainingException;
import dev.caravan.training.TrainingProgress;

/** Runs over HTTP: what reaches the run operations, what comes back, and who may change anything. */
@WebMvcTest(controllers = {RunController.class, RunLogController.class},
        properties = {"caravan.api.token=" + ApiCalls.TOKEN, "logging.file.name="})
@Import(ApiToken.class)
class RunControllerTest {

    private static final Path HOME = CaravanTestProperties.newHome();
    private static final String RUN = "mnist-3f2a9c1b7e";

    @DynamicPropertySource
    static void home(DynamicPropertyRegistry registry) {
        registry.add("caravan.home", HOME::toString);
    }

    @Autowired
    MockMvc mvc;

    @MockitoBean
    RunQueries queries;

    @MockitoBean
    RunOperations operations;

    @MockitoBean
    RunStore runs;

    @MockitoBean
    TrainingBackend training;

    @Test
    void aSubmissionReachesItsPipelineWithItsParametersAndIsAccepted() throws Exception {
        given(operations.submit(any(), anyMap(), anyString()))
                .willReturn(new Submission("fashion-0c1d2e3f4a", "fashion", "9b8a7c", 4, Admission.STARTED));

        mvc.perform(post("/api/runs").with(withToken()).contentType(MediaType.APPLICATION_JSON).content("""
                        {"pipeline": "fashion", "parameters": {"trainSteps": "2000", "learningRate": "0.01"}}"""))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.run").value("fashion-0c1d2e3f4a"))
                .andExpect(jsonPath("$.model").value("fashion"))
                .andExpect(jsonPath("$.snapshot").value("9b8a7c"))
                .andExpect(jsonPath("$.objects").value(4))
                .andExpect(jsonPath("$.admission").value("STARTED"));

        then(operations).should().submit("fashion", Map.of("trainSteps", "2000", "learningRate", "0.01"), "api");
    }

    @Test
    void aSubmissionFromTheCliIsRecordedAsTheCli() throws Exception {
        given(operations.submit(any(), anyMap(), anyString()))
                .willReturn(new Submission("mnist-0c1d2e3f4a", "mnist", "9b8a7c", 4, Admission.STARTED));

        mvc.perform(post("/api/runs").with(withToken()).header("User-Agent", RunController.CLI_AGENT + "/1"))
                .andExpect(status().isAccepted());

        then(operations).should().submit(null, Map.of(), "cli");
    }

    @Test
    void aSubmissionOfWorkThatCompletedBeforeIsAConflictNotStarted() throws Exception {
        given(operations.submit(any(), anyMap(), anyString()))
                .willReturn(new Submission(RUN, "mnist", "9b8a7c", 4, Admission.DONE));

        mvc.perform(post("/api/runs").with(withToken()))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(startsWith("run " + RUN + " already trained on snapshot 9b8a7c "
                        + "with these settings, so nothing was started")));
    }

    @Test
    void aStatusNoRunCanHaveIsABadRequestNamingTheOnesThereAre() throws Exception {
        mvc.perform(get("/api/runs").param("status", "BOGUS"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(startsWith("status 'BOGUS' is not one a run can have; use one of "
                        + "QUEUED, STARTED, COMPLETED, FAILED, STOPPED, DROPPED, PROMOTED, REJECTED, SUPERSEDED")));
    }

    @Test
    void aSubmissionWithoutABodyRetrainsTheOnlyPipelineAsConfigured() throws Exception {
        given(operations.submit(any(), anyMap(), anyString()))
                .willReturn(new Submission(RUN, "mnist", "9b8a7c", 4, Admission.QUEUED));

        mvc.perform(post("/api/runs").with(withToken()))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.admission").value("QUEUED"));

        then(operations).should().submit(null, Map.of(), "api");
    }

    @Test
    void aBadParameterIsABadRequestThatSaysWhy() throws Exception {
        String reason = "unknown parameter 'epochs'; this pipeline's trainer takes [trainSteps, batchSize, learningRate, learningRateSchedule, workers, ps, syncReplicas]";
        given(operations.submit(eq("mnist"), anyMap(), anyString())).willThrow(new IllegalArgumentException(reason));

        mvc.perform(post("/api/runs").with(withToken()).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"pipeline\": \"mnist\", \"parameters\": {\"epochs\": \"3\"}}"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.title").value("Bad request"))
                .andExpect(jsonPath("$.detail").value(reason));
    }

    @Test
    void anUnknownPipelineIsNotFoundAndTheAnswerNamesThePipelinesThereAre() throws Exception {
        String reason = "there is no pipeline or model named 'fahsion'; the pipelines are fashion, mnist "
                + "(config/pipelines/<name>.yaml)";
        given(operations.submit(eq("fahsion"), anyMap(), anyString()))
                .willThrow(new PipelineCatalog.UnknownPipelineException(reason));

        mvc.perform(post("/api/runs").with(withToken()).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"pipeline\": \"fahsion\"}"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Not found"))
                .andExpect(jsonPath("$.detail").value(reason));
    }

    @Test
    void aSubmissionWithoutTheTokenIsRefusedWithWhereToFindIt() throws Exception {
        mvc.perform(post("/api/runs").contentType(MediaType.APPLICATION_JSON).content("{\"pipeline\": \"mnist\"}"))
                .andExpect(status().isUnauthorized())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(401))
                .andExpect(jsonPath("$.detail").value("this call needs the header Authorization: Bearer <token>; the "
                        + "token is the one this Caravan was given in CARAVAN_API_TOKEN (caravan.api.token)"));

        verifyNoInteractions(operations);
    }

    @Test
    void aWrongTokenIsRefusedAsNotValid() throws Exception {
        mvc.perform(post("/api/runs/" + RUN + "/stop").with(withToken("guessed")))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.detail").value(startsWith("the token is not valid;")));

        verifyNoInteractions(operations);
    }

    @Test
    void readsAreOpenOnThisMachineButNeedTheTokenFromAnother() throws Exception {
        given(runs.list(any(), any(), any(), anyInt())).willReturn(List.of());

        mvc.perform(get("/api/runs")).andExpect(status().isOk());
        mvc.perform(get("/api/runs").with(fromAnotherMachine())).andExpect(status().isUnauthorized());
        mvc.perform(get("/api/runs").with(fromAnotherMachine()).with(withToken())).andExpect(status().isOk());
    }

    @Test
    void anUnknownRunIsNotFoundAndTheAnswerSaysHowToListThem() throws Exception {
        given(queries.get("nope")).willReturn(Optional.empty());

        mvc.perform(get("/api/runs/nope"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(404))
                .andExpect(jsonPath("$.detail").value("no run named 'nope'; list the runs with: caravan list"));
    }

    @Test
    void aRunShowsItsStepsAndParameters() throws Exception {
        given(queries.get(RUN)).willReturn(Optional.of(new RunView(failedRun(), List.of(
                new StepView("prepare", "COMPLETED", null, null, Duration.ofMillis(40), "run trains version 3"),
                new StepView("train", "FAILED", null, null, Duration.ofSeconds(12), "the trainer ran out of memory")),
                Map.of("trainSteps", "2000"), null)));

        mvc.perform(get("/api/runs/" + RUN))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.run.name").value(RUN))
                .andExpect(jsonPath("$.run.status").value("FAILED"))
                .andExpect(jsonPath("$.steps[1].name").value("train"))
                .andExpect(jsonPath("$.steps[1].message").value("the trainer ran out of memory"))
                .andExpect(jsonPath("$.parameters.trainSteps").value("2000"));
    }

    @Test
    void theListIsFilteredAsAskedPagedAndItsLimitKeptInBounds() throws Exception {
        given(runs.list(any(), any(), any(), anyInt(), anyInt())).willReturn(List.of(failedRun()));
        given(runs.count(any(), any(), any())).willReturn(10_001L);
        Instant before = Instant.now();

        mvc.perform(get("/api/runs").param("status", "failed").param("model", "mnist").param("since", "PT24H")
                        .param("limit", "50000").param("offset", "10000"))
                .andExpect(status().isOk())
                .andExpect(header().string("X-Total-Count", "10001"))
                .andExpect(jsonPath("$[0].name").value(RUN))
                .andExpect(jsonPath("$[0].trigger").value("api"));

        ArgumentCaptor<Instant> since = ArgumentCaptor.forClass(Instant.class);
        then(runs).should().list(eq("failed"), eq("mnist"), since.capture(), eq(10_000), eq(10_000));
        Duration day = Duration.ofHours(24);
        assertThat(since.getValue()).isBetween(before.minus(day), Instant.now().minus(day));
    }

    @Test
    void aSinceThatIsNotADurationIsABadRequestThatSaysWhich() throws Exception {
        mvc.perform(get("/api/runs").param("since", "yesterday"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(containsString("'since'")));

        verifyNoInteractions(runs);
    }

    @Test
    void retryingARunThatDidNotFailIsAConflictThatSaysWhatToDoInstead() throws Exception {
        String reason = "run " + RUN + " is COMPLETED; only a FAILED or STOPPED run can be retried (resubmit it to "
                + "train again with other settings)";
        given(operations.retry(RUN)).willThrow(new IllegalStateException(reason));

        mvc.perform(post("/api/runs/" + RUN + "/retry").with(withToken()))
                .andExpect(status().isConflict())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Conflict"))
                .andExpect(jsonPath("$.detail").value(reason));
    }

    @Test
    void retryingAFailedRunIsAcceptedAsTheSameRun() throws Exception {
        given(operations.retry(RUN)).willReturn(new Submission(RUN, "mnist", "9b8a7c", 0, Admission.STARTED));

        mvc.perform(post("/api/runs/" + RUN + "/retry").with(withToken()))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.run").value(RUN));
    }

    @Test
    void aResubmissionCarriesTheChangedSettings() throws Exception {
        given(operations.resubmit(eq(RUN), anyMap(), anyString()))
                .willReturn(new Submission("mnist-77aa88bb99", "mnist", "9b8a7c", 4, Admission.STARTED));

        mvc.perform(post("/api/runs/" + RUN + "/resubmit").with(withToken()).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"parameters\": {\"trainSteps\": \"3000\"}}"))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.run").value("mnist-77aa88bb99"));

        then(operations).should().resubmit(RUN, Map.of("trainSteps", "3000"), "api resubmit of " + RUN);
    }

    @Test
    void stoppingARunIsAcceptedWithWhatHappensNext() throws Exception {
        given(operations.stop(eq(RUN), anyString())).willReturn(new RunOperations.StopRequest(RUN, "STOPPING",
                "the training of run " + RUN + " was stopped; the run ends STOPPED"));

        mvc.perform(post("/api/runs/" + RUN + "/stop").with(withToken()))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.state").value("STOPPING"))
                .andExpect(jsonPath("$.message").value("the training of run " + RUN + " was stopped; the run ends STOPPED"));

        then(operations).should().stop(RUN, "a request through the API");
    }

    @Test
    void stoppingAnUnknownRunIsNotFound() throws Exception {
        given(operations.stop(eq("nope"), anyString())).willThrow(new RunOperations.RunNotFoundException("nope"));

        mvc.perform(post("/api/runs/nope/stop").with(withToken()))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail").value("no run named 'nope'; list the runs with: caravan list"));
    }

    @Test
    void theLogOfARunIsItsTrainersLog() throws Exception {
        given(queries.get(RUN)).willReturn(Optional.of(new RunView(failedRun(), List.of(), Map.of(), null)));
        given(runs.find(RUN)).willReturn(Optional.of(failedRun()));
        willAnswer(call -> {
            call.getArgument(2, OutputStream.class).write(
                    "step 100: loss 0.31\njava.lang.OutOfMemoryError: Java heap space\n".getBytes(StandardCharsets.UTF_8));
            return null;
        }).given(training).copyLog(eq(RUN), isNull(), any(), any());

        MvcResult streaming = mvc.perform(get("/api/runs/" + RUN + "/logs"))
                .andExpect(request().asyncStarted())
                .andReturn();

        mvc.perform(asyncDispatch(streaming))
                .andExpect(status().isOk())
                .andExpect(content().string("step 100: loss 0.31\njava.lang.OutOfMemoryError: Java heap space\n"));
    }

    @Test
    void theLogOfOneReplicaIsAskedForByItsName() throws Exception {
        given(queries.get(RUN)).willReturn(Optional.of(new RunView(failedRun(), List.of(), Map.of(), null)));
        given(runs.find(RUN)).willReturn(Optional.of(failedRun()));
        willAnswer(call -> {
            call.getArgument(2, OutputStream.class).write("worker-1: lost its shard\n".getBytes(StandardCharsets.UTF_8));
            return null;
        }).given(training).copyLog(eq(RUN), eq("worker-1"), any(), any());

        MvcResult streaming = mvc.perform(get("/api/runs/" + RUN + "/logs").param("replica", "worker-1"))
                .andExpect(request().asyncStarted())
                .andReturn();

        mvc.perform(asyncDispatch(streaming))
                .andExpect(status().isOk())
                .andExpect(content().string("worker-1: lost its shard\n"));
    }

    @Test
    void aLogTheRuntimeCannotGiveIsNotFoundWithTheReason() throws Exception {
        given(queries.get(RUN)).willReturn(Optional.of(new RunView(failedRun(), List.of(), Map.of(), null)));
        given(runs.find(RUN)).willReturn(Optional.of(failedRun()));
        willThrow(new TrainingException("run " + RUN + " has no trainer pod in namespace caravan"))
                .given(training).copyLog(eq(RUN), isNull(), any(), any());

        MvcResult streaming = mvc.perform(get("/api/runs/" + RUN + "/logs").accept(MediaType.TEXT_PLAIN))
                .andExpect(request().asyncStarted()).andReturn();

        mvc.perform(asyncDispatch(streaming))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail").value("run " + RUN + " has no trainer pod in namespace caravan"));
    }

    @Test
    void anUnknownReplicaIsNotFoundAndTheAnswerNamesTheReplicasWithLogs() throws Exception {
        given(queries.get(RUN)).willReturn(Optional.of(new RunView(failedRun(), List.of(), Map.of(), null)));
        given(runs.find(RUN)).willReturn(Optional.of(failedRun()));
        willThrow(new TrainingException("run " + RUN + " has no log of replica 'worker-5'; its replicas with logs are "
                + "[chief, worker-0, ps-0]")).given(training).copyLog(eq(RUN), eq("worker-5"), any(), any());

        MvcResult streaming = mvc.perform(get("/api/runs/" + RUN + "/logs").param("replica", "worker-5")
                        .accept(MediaType.TEXT_PLAIN))
                .andExpect(request().asyncStarted()).andReturn();

        mvc.perform(asyncDispatch(streaming))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.title").value("Not found"))
                .andExpect(jsonPath("$.detail").value("run " + RUN + " has no log of replica 'worker-5'; its replicas "
                        + "with logs are [chief, worker-0, ps-0]"));
    }

    @Test
    void aLogThatBreaksOffAfterItsFirstLinesEndsWithTheReason() throws Exception {
        given(queries.get(RUN)).willReturn(Optional.of(new RunView(failedRun(), List.of(), Map.of(), null)));
        given(runs.find(RUN)).willReturn(Optional.of(failedRun()));
        willAnswer(call -> {
            call.getArgument(2, OutputStream.class).write("step 100: loss 0.31\n".getBytes(StandardCharsets.UTF_8));
            throw new TrainingException("the pod of run " + RUN + " was deleted");
        }).given(training).copyLog(eq(RUN), isNull(), any(), any());

        MvcResult streaming = mvc.perform(get("/api/runs/" + RUN + "/logs")).andExpect(request().asyncStarted()).andReturn();

        mvc.perform(asyncDispatch(streaming))
                .andExpect(status().isOk())
                .andExpect(content().string("step 100: loss 0.31\n\nthe trainer log broke off: the pod of run " + RUN
                        + " was deleted\n"));
    }

    @Test
    void theCurvesCarryTheTotalStepsTheTrainerReportedAndNoneWhenItReportedNone() throws Exception {
        given(queries.get(RUN)).willReturn(Optional.of(new RunView(failedRun(), List.of(), Map.of(), null)));
        given(runs.find(RUN)).willReturn(Optional.of(failedRun()));
        given(runs.scalars(RUN)).willReturn(List.of(new TrainingProgress(30, 300, 0.9, 0.7),
                new TrainingProgress(60, 0, 0.5, 0.8)));

        mvc.perform(get("/api/runs/" + RUN + "/scalars"))
                .andExpect(status().isOk())
                .andExpect(content().json("""
                        [{"step": 30, "totalSteps": 300, "loss": 0.9, "accuracy": 0.7},
                         {"step": 60, "totalSteps": null, "loss": 0.5, "accuracy": 0.8}]""", true));
    }

    @Test
    void theLogOfAnUnknownRunIsNotFound() throws Exception {
        given(queries.get("nope")).willReturn(Optional.empty());

        mvc.perform(get("/api/runs/nope/logs"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail").value("no run named 'nope'; list the runs with: caravan list"));
    }

    private static Run failedRun() {
        Instant started = Instant.parse("2025-01-02T03:04:05Z");
        return new Run(RUN, "mnist", "9b8a7c", 1L, 2L, "FAILED", "FAILED", "train: the trainer ran out of memory", 3L,
                started, started, started.plusSeconds(20), "api");
    }
}
