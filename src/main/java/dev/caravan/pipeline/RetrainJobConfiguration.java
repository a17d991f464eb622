package dev.caravan.pipeline;

import org.springframework.batch.core.Job;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.step.builder.TaskletStepBuilder;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.support.transaction.ResourcelessTransactionManager;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.caravan.data.DataValidation;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.evaluation.EvaluationStore;
import dev.caravan.evaluation.ModelEvaluator;
import dev.caravan.evaluation.TrainerMetrics;
import dev.caravan.registry.ModelOperations;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.VersionFolders;
import dev.caravan.serving.ServingBackend;
import dev.caravan.smoketest.SmokeTest;
import dev.caravan.snapshot.SnapshotStore;
import dev.caravan.storage.ObjectStore;
import dev.caravan.tensorboard.TensorBoardBackend;
import dev.caravan.training.TrainingBackend;

/**
 * The {@code retrain} job: prepare, validateData, tensorboard, train, evaluate, then promote and smokeTest unless
 * the gate turned the model down. Each step talks to a backend interface, never to a runtime.
 */
@Configuration(proxyBeanMethods = false)
class RetrainJobConfiguration {

    private final JobRepository jobs;
    private final StepMessages messages;
    private final RunStops stops;

    RetrainJobConfiguration(JobRepository jobs, StepMessages messages, RunStops stops) {
        this.jobs = jobs;
        this.messages = messages;
        this.stops = stops;
    }

    @Bean
    Job retrainJob(RunLifecycle lifecycle, Step prepare, Step validateData, Step tensorboard, Step train,
                   Step evaluate, Step promote, Step smokeTest) {
        return new JobBuilder("retrain", jobs)
                .listener(lifecycle)
                .start(prepare).on("FAILED").fail()
                .from(prepare).on("*").to(validateData)
                .from(validateData).on("FAILED").fail()
                .from(validateData).on("*").to(tensorboard)
                .from(tensorboard).on("FAILED").fail()
                .from(tensorboard).on("*").to(train)
                .from(train).on("FAILED").fail()
                .from(train).on("*").to(evaluate)
                .from(evaluate).on("FAILED").fail()
                .from(evaluate).on(EvaluateTasklet.REJECTED).end(EvaluateTasklet.REJECTED)
                .from(evaluate).on("*").to(promote)
                .from(promote).on("FAILED").fail()
                .from(promote).on(PromoteTasklet.SUPERSEDED).end(PromoteTasklet.SUPERSEDED)
                .from(promote).on("*").to(smokeTest)
                .from(smokeTest).on("FAILED").fail()
                .end()
                .build();
    }

    @Bean
    Step prepare(VersionFolders versions, SnapshotStore snapshots, RunStore runs, PipelineCatalog pipelines,
                 RunLayout layout) {
        return step("prepare", new PrepareTasklet(versions, snapshots, runs, pipelines, layout));
    }

    @Bean
    Step validateData(SnapshotStore snapshots, DataValidation validation, PipelineCatalog pipelines) {
        return step("validateData", new ValidateDataTasklet(snapshots, validation, pipelines));
    }

    @Bean
    Step tensorboard(TensorBoardBackend tensorBoard) {
        return step("tensorboard", new TensorBoardTasklet(tensorBoard));
    }

    @Bean
    Step train(TrainingBackend training, RunStore runs, ApplicationEventPublisher events, PipelineCatalog pipelines,
               VersionFolders versions) {
        return step("train", new TrainTasklet(training, runs, events, stops, pipelines, versions));
    }

    @Bean
    Step evaluate(ModelEvaluator evaluator, ObjectStore store, ModelRegistry registry, PipelineCatalog pipelines,
                  EvaluationStore evaluations) {
        return step("evaluate", new EvaluateTasklet(evaluator, new TrainerMetrics(store), registry, pipelines,
                evaluations));
    }

    @Bean
    Step promote(ModelRegistry registry, ModelOperations operations) {
        // A retry after a failed smoke test, which withdrew the version, serves it again before testing it again.
        return steps("promote", new PromoteTasklet(registry, operations)).allowStartIfComplete(true).build();
    }

    @Bean
    Step smokeTest(SmokeTest modelSmokeTest, ServingBackend serving, ModelOperations operations,
                   PipelineCatalog pipelines, ApplicationEventPublisher events) {
        return step("smokeTest", new SmokeTestTasklet(modelSmokeTest, serving, operations, pipelines, events));
    }

    private Step step(String name, Tasklet tasklet) {
        return steps(name, tasklet).build();
    }

    private TaskletStepBuilder steps(String name, Tasklet tasklet) {
        // Steps run for minutes: no database transaction is held open around them; what they record commits at once.
        return new StepBuilder(name, jobs).tasklet(tasklet, new ResourcelessTransactionManager())
                .listener(stops).listener(messages);
    }
}
