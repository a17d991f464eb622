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
import dev.caravan.system.CaravanProperties;

/** Names the run, reserves its model version and fixes where its data, training files and export go. */
class PrepareTasklet implements Tasklet {

    private final ModelRegistry registry;
    private final RunStore runs;
    private final PipelineCatalog pipelines;
    private final CaravanProperties properties;

    PrepareTasklet(ModelRegistry registry, RunStore runs, PipelineCatalog pipelines, CaravanProperties properties) {
        this.registry = registry;
        this.runs = runs;
        this.pipelines = pipelines;
        this.properties = properties;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        PipelineDefinition pipeline = run.pipeline(pipelines);
        String bucket = pipeline.source().bucket();
        S3Location modelBase = new S3Location(bucket, properties.modelsPrefix()).resolve(run.model() + "/");
        ModelVersion version = registry.reserve(run.model(), run.runName(), run.snapshot(),
                v -> modelBase.resolve(v + "/"));
        S3Location dataDir = pipeline.dataLocation();
        S3Location modelDir = new S3Location(bucket, properties.trainingPrefix()).resolve(run.runName() + "/");
        run.prepared(version.version(), dataDir, modelDir, version.export());
        runs.modelVersion(run.runName(), version.version());
        StepMessages.say(chunk, "run " + run.runName() + " trains version " + version.version() + " of " + run.model()
                + " into " + version.export());
        return RepeatStatus.FINISHED;
    }
}
