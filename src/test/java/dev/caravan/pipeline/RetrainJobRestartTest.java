package dev.caravan.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.batch.core.repository.JobInstanceAlreadyCompleteException;
import org.springframework.batch.test.JobLauncherTestUtils;
import org.springframework.batch.test.JobRepositoryTestUtils;
import org.springframework.batch.test.context.SpringBatchTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.batch.BatchAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.jdbc.JdbcTestUtils;

import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import dev.caravan.data.DataValidation;
import dev.caravan.database.SchemaMigrations;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.evaluation.Evaluation;
import dev.caravan.evaluation.EvaluationStore;
import dev.caravan.evaluation.ModelEvaluator;
import dev.caravan.registry.ModelHistory;
import dev.caravan.registry.ModelOperations;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.registry.VersionFolders;
import dev.caravan.serving.testutil.FakeModelServer;
import dev.caravan.smoketest.SmokeTest;
import dev.caravan.smoketest.SmokeTestReport;
import dev.caravan.snapshot.Snapshot;
import dev.caravan.snapshot.SnapshotStore;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.tensorboard.TensorBoardBackend;
import dev.caravan.tensorboard.TensorBoardInfo;
import dev.caravan.testutil.Pipelines;
import dev.caravan.training.TrainingBackend;
import dev.caravan.training.TrainingException;
import dev.caravan.training.TrainingListener;
import dev.caravan.training.TrainingProgress;
import dev.caravan.training.TrainingRequest;
import dev.caravan.training.TrainingResult;

/**
 * The {@code retrain} job restarted as Spring Batch restarts work: a run whose training fails is FAILED with the
 * trainer's reason, and the same parameters again resume it at {@code train} in the same job instance, with the model
 * version its first attempt reserved. The job is the real one; its backends are stubs, so nothing trains.
 */
@SpringBatchTest
@SpringBootTest(classes = RetrainJobRestartTest.RetrainJobOnStubs.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"spring.datasource.url=jdbc:h2:mem:retrain-restart;DB_CLOSE_DELAY=-1",
                "spring.batch.job.enabled=false", "logging.file.name="})
class RetrainJobRestartTest {

    private static final String OUT_OF_MEMORY = "the trainer of run %s ran out of memory at step 120 of 150; give it "
            + "more with CARAVAN_TRAINER_JVM_OPTIONS=-Xmx2g and retry the run";
    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/mnist/");

    /** The real job, its listeners and H2 tables; every backend it drives is a stub. */
    // Not a @Configuration: benchmarks run Caravan with the test classes on the class path, and its component scan
    // must not find this context's beans.
    @ImportAutoConfiguration({DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
            JdbcTemplateAutoConfiguration.class, FlywayAutoConfiguration.class,
            TransactionAutoConfiguration.class, BatchAutoConfiguration.class})
    @ConfigurationPropertiesScan("dev.caravan")
    @Import({SchemaMigrations.class, RetrainJobConfiguration.class, RunLifecycle.class, StepMessages.class,
            RunStops.class, RunStore.class, ModelRegistry.class, ModelOperations.class, ModelHistory.class,
            VersionFolders.class, EvaluationStore.class})
    static class RetrainJobOnStubs {

        @Bean
        PipelineCatalog pipelines() {
            return Pipelines.catalog(Pipelines.mnist());
        }

        @Bean(destroyMethod = "close")
        FakeModelServer modelServer() {
            return FakeModelServer.start();
        }
    }

    @Autowired
    JobLauncherTestUtils jobs;

    @Autowired
    JobRepositoryTestUtils jobRepository;

    @Autowired
    JobExplorer explorer;

    @Autowired
    RunStore runs;

    @Autowired
    ModelRegistry registry;

    @Autowired
    FakeModelServer modelServer;

    @Autowired
    JdbcTemplate jdbc;

    @MockitoBean
    TrainingBackend training;

    @MockitoBean
    TensorBoardBackend tensorBoard;

    @MockitoBean
    SnapshotStore snapshots;

    @MockitoBean
    DataValidation validation;

    @MockitoBean
    ModelEvaluator evaluator;

    @MockitoBean
    ObjectStore store;

    @MockitoBean
    SmokeTest smokeTest;

    @BeforeEach
    void noRunsYet() {
        SmokeTestReport passed = mock(SmokeTestReport.class);
        given(passed.passed()).willReturn(true);
        given(passed.render()).willReturn("10/10 correct");
        given(smokeTest.run(any(), any(), anyLong())).willReturn(passed);
        jobRepository.removeJobExecutions();
        JdbcTestUtils.deleteFromTables(jdbc, "caravan_run_scalar", "caravan_run", "caravan_model_version");
    }

    @Test
    void aRunWhoseTrainingFailedResumesAtTrainWithItsModelVersionWhenRunAgain() throws Exception {
        // given: data that validates, and a trainer that runs out of memory the first time only
        String snapshot = "4f1c0ffee";
        String run = RetrainLauncher.runName("mnist", snapshot);
        uploaded(snapshot);
        given(training.train(any(), any()))
                .willThrow(new TrainingException(OUT_OF_MEMORY.formatted(run)))
                .willAnswer(call -> trained(call.getArgument(0), call.getArgument(1)));
        JobParameters parameters = RetrainLauncher.parameters("mnist", snapshot, Map.of());

        // when
        JobExecution first = jobs.launchJob(parameters);

        // then: the run failed in train, with the trainer's reason and what to do
        assertThat(first.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(stepsOf(first)).containsExactly("prepare", "validateData", "tensorboard", "train");
        assertThat(runs.find(run)).hasValueSatisfying(failed -> {
            assertThat(failed.status()).isEqualTo("FAILED");
            assertThat(failed.outcome()).isEqualTo("FAILED");
            assertThat(failed.message()).isEqualTo("train: " + OUT_OF_MEMORY.formatted(run));
            assertThat(failed.modelVersion()).isEqualTo(1L);
        });

        // when: the same work is asked for again
        JobExecution second = jobs.launchJob(parameters);

        // then: it went on from train in the same job instance, and version 1 serves
        assertThat(second.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(stepsOf(second)).containsExactly("train", "evaluate", "promote", "smokeTest");
        assertThat(explorer.getJobInstanceCount("retrain")).isEqualTo(1);
        assertThat(explorer.getJobInstances("retrain", 0, 10)).containsExactly(first.getJobInstance());
        assertThat(second.getJobInstance()).isEqualTo(first.getJobInstance());
        assertThat(runs.find(run)).hasValueSatisfying(promoted -> {
            assertThat(promoted.status()).isEqualTo("COMPLETED");
            assertThat(promoted.outcome()).isEqualTo("PROMOTED");
            assertThat(promoted.modelVersion()).isEqualTo(1L);
        });
        assertThat(registry.versions("mnist")).singleElement().satisfies(version -> {
            assertThat(version.version()).isEqualTo(1);
            assertThat(version.runName()).isEqualTo(run);
            assertThat(version.state()).isEqualTo(ModelVersion.State.SERVING);
            assertThat(version.accuracy()).isEqualTo(0.97);
        });
        assertThat(modelServer.servingVersion("mnist")).hasValue(1);
        // both attempts trained into the one export prepare reserved, and the data was validated once
        ArgumentCaptor<TrainingRequest> trainings = ArgumentCaptor.forClass(TrainingRequest.class);
        then(training).should(times(2)).train(trainings.capture(), any());
        assertThat(trainings.getAllValues()).extracting(TrainingRequest::exportDir)
                .containsOnly(S3Location.parse("s3://tfmnist/models/mnist/1/"));
        then(validation).should(times(1)).validate(any(), any());
    }

    @Test
    void aCompletedRunIsNotRunAgain() throws Exception {
        // given: a run that completed
        String snapshot = "5e2d1ab";
        uploaded(snapshot);
        given(training.train(any(), any())).willAnswer(call -> trained(call.getArgument(0), call.getArgument(1)));
        JobParameters parameters = RetrainLauncher.parameters("mnist", snapshot, Map.of());
        assertThat(jobs.launchJob(parameters).getStatus()).isEqualTo(BatchStatus.COMPLETED);

        // when, then: Spring Batch refuses the same work, and nothing trains again
        assertThatThrownBy(() -> jobs.launchJob(parameters)).isInstanceOf(JobInstanceAlreadyCompleteException.class);
        assertThat(explorer.getJobInstanceCount("retrain")).isEqualTo(1);
        then(training).should(times(1)).train(any(), any());
    }

    /** The snapshot the run is for is frozen and valid, and its version folder is new. */
    private void uploaded(String snapshot) {
        given(snapshots.dataDir(any(), any())).willReturn(DATA);
        given(snapshots.frozenCopy(any(), any())).willReturn(DATA);
        given(store.isEmpty(any())).willReturn(true);
        given(store.putIfAbsent(any(), any())).willReturn(true);
        given(store.read(any())).willThrow(NoSuchKeyException.builder().message("no owner yet").build());
        given(validation.validate(any(), any())).willReturn("60000 training and 10000 test images with labels in " + DATA);
        given(tensorBoard.start(any(), any())).willAnswer(call -> {
            String logDir = call.<S3Location>getArgument(1).uri();
            return new TensorBoardInfo(logDir, "tensorboard --logdir " + logDir);
        });
        given(evaluator.evaluate(any(), any())).willReturn(Evaluation.ofMetric("accuracy", 0.97));
    }

    private static TrainingResult trained(TrainingRequest request, TrainingListener listener) {
        TrainingProgress last = new TrainingProgress(150, 150, 0.08, 0.98);
        listener.onProgress(last);
        return new TrainingResult(request.exportDir(), last, Duration.ofSeconds(42));
    }

    private static List<String> stepsOf(JobExecution execution) {
        return execution.getStepExecutions().stream().map(StepExecution::getStepName).toList();
    }
}
