package dev.caravan.pipeline;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.context.ApplicationEventPublisher;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.registry.ModelOperations;
import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.smoketest.SmokeTest;
import dev.caravan.smoketest.SmokeTestReport;

/**
 * Sends the pipeline's smoke-test samples to the promoted version over gRPC, as any TensorFlow Serving client would.
 * When they cannot be read, cannot be sent, or are answered wrong, serving rolls back to the version that served
 * before and the run fails with the reason.
 */
class SmokeTestTasklet implements Tasklet {

    private final SmokeTest smokeTest;
    private final ServingBackend serving;
    private final ModelOperations operations;
    private final PipelineCatalog pipelines;
    private final ApplicationEventPublisher events;

    SmokeTestTasklet(SmokeTest smokeTest, ServingBackend serving, ModelOperations operations, PipelineCatalog pipelines,
                     ApplicationEventPublisher events) {
        this.smokeTest = smokeTest;
        this.serving = serving;
        this.operations = operations;
        this.pipelines = pipelines;
        this.events = events;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        ServingEndpoint endpoint = serving.endpoint(run.model());
        SmokeTestReport report;
        try {
            report = smokeTest.run(run.pipeline(pipelines), run.dataDir(), run.version());
        } catch (RuntimeException e) {
            // A version the smoke test could not try (its samples unreadable, S3 down) must not go on serving.
            throw withdrawn(run, "it could not run: " + e.getMessage());
        }
        run.smokeReport(report.render());
        if (!report.passed()) {
            throw withdrawn(run, report.failureReason().orElse("the samples were not answered as expected"));
        }
        StepMessages.say(chunk, report.correctCount() + "/" + report.sent().size() + " samples answered as expected by "
                + run.model() + " version " + run.version() + " over gRPC at " + endpoint.host() + ":" + endpoint.grpcPort());
        return RepeatStatus.FINISHED;
    }

    private IllegalStateException withdrawn(RunContext run, String reason) {
        events.publishEvent(new RunEvent.SmokeFailed(run.runName(), run.model(), run.version(), reason));
        return new IllegalStateException("smoke test of version " + run.version() + " failed: " + reason + "; "
                + operations.withdraw(run.model(), run.version(), run.previousVersion(), "smoke test failed: " + reason));
    }
}
