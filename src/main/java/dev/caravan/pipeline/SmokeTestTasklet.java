package dev.caravan.pipeline;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.context.ApplicationEventPublisher;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.smoketest.SmokeTest;
import dev.caravan.smoketest.SmokeTestReport;

/**
 * Sends the pipeline's smoke-test samples to the promoted version over gRPC, as any TensorFlow Serving client would.
 * When they cannot be read or are answered wrong, serving rolls back to the version that served before and the run
 * fails with the reason.
 */
class SmokeTestTasklet implements Tasklet {

    private final SmokeTest smokeTest;
    private final ServingBackend serving;
    private final ModelRegistry registry;
    private final PipelineCatalog pipelines;
    private final ApplicationEventPublisher events;

    SmokeTestTasklet(SmokeTest smokeTest, ServingBackend serving, ModelRegistry registry, PipelineCatalog pipelines,
                     ApplicationEventPublisher events) {
        this.smokeTest = smokeTest;
        this.serving = serving;
        this.registry = registry;
        this.pipelines = pipelines;
        this.events = events;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        ServingEndpoint endpoint = serving.endpoint(run.model());
        SmokeTestReport report = smokeTest.run(run.pipeline(pipelines), run.dataDir(), run.version());
        run.smokeReport(report.render());
        if (!report.passed()) {
            String reason = report.failureReason().orElse("the samples were not answered as expected");
            events.publishEvent(new RunEvent.SmokeFailed(run.runName(), run.model(), run.version(), reason));
            throw new IllegalStateException("smoke test of version " + run.version() + " failed: " + reason + "; "
                    + rollBack(run, reason));
        }
        StepMessages.say(chunk, report.correctCount() + "/" + report.sent().size() + " samples answered as expected by "
                + run.model() + " version " + run.version() + " over gRPC at " + endpoint.host() + ":" + endpoint.grpcPort());
        return RepeatStatus.FINISHED;
    }

    private String rollBack(RunContext run, String reason) {
        Long previous = run.previousVersion();
        String why = "smoke test failed: " + reason;
        if (previous == null) {
            serving.stop(run.model());
        } else {
            serving.serve(run.model(), previous, registry.find(run.model(), previous).orElseThrow().export());
        }
        registry.rollBack(run.model(), run.version(), previous, why);
        events.publishEvent(new RunEvent.ModelRolledBack(run.runName(), run.model(), run.version(), previous, why));
        return previous == null ? "no version served before it, so " + run.model() + " is not served now"
                : "serving rolled back to version " + previous;
    }
}
