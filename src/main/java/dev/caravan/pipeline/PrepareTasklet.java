package dev.caravan.pipeline;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.storage.S3Location;

/** Names the run, reserves its model version and fixes where its data, training files and export go. */
class PrepareTasklet implements Tasklet {

    private final ModelRegistry registry;
    private final RunStore runs;
    private final PipelineCatalog pipelines;
    private final RunLayout layout;

    PrepareTasklet(ModelRegistry registry, RunStore runs, PipelineCatalog pipelines, RunLayout layout) {
        this.registry = registry;
        this.runs = runs;
        this.pipelines = pipelines;
        this.layout = layout;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        PipelineDefinition pipeline = run.pipeline(pipelines);
        S3Location modelBase = layout.modelBase(pipeline);
        ModelVersion version = registry.reserve(run.model(), run.runName(), run.snapshot(),
                v -> modelBase.resolve(v + "/"));
        run.prepared(version.version(), pipeline.dataLocation(), layout.modelDir(pipeline, run.runName()),
                version.export());
        runs.modelVersion(run.runName(), version.version());
        StepMessages.say(chunk, "run " + run.runName() + " trains version " + version.version() + " of " + run.model()
                + " into " + version.export());
        return RepeatStatus.FINISHED;
    }
}
