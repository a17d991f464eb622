package dev.caravan.pipeline;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.registry.ModelVersion;
import dev.caravan.registry.VersionFolders;
import dev.caravan.snapshot.SnapshotStore;
import dev.caravan.storage.S3Location;

/**
 * Names the run, reserves its model version (a number never given before, its folder claimed for the run) and fixes
 * where its data (the snapshot's frozen copy), training files and export go.
 */
class PrepareTasklet implements Tasklet {

    private final VersionFolders versions;
    private final SnapshotStore snapshots;
    private final RunStore runs;
    private final PipelineCatalog pipelines;
    private final RunLayout layout;

    PrepareTasklet(VersionFolders versions, SnapshotStore snapshots, RunStore runs, PipelineCatalog pipelines,
                   RunLayout layout) {
        this.versions = versions;
        this.snapshots = snapshots;
        this.runs = runs;
        this.pipelines = pipelines;
        this.layout = layout;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        PipelineDefinition pipeline = run.pipeline(pipelines);
        S3Location modelBase = layout.modelBase(pipeline);
        ModelVersion version = versions.reserve(run.model(), run.runName(), run.snapshot(), modelBase);
        run.prepared(version.version(), snapshots.dataDir(pipeline, run.snapshot()),
                layout.modelDir(pipeline, run.runName()), version.export());
        runs.modelVersion(run.runName(), version.version());
        StepMessages.say(chunk, "run " + run.runName() + " trains version " + version.version() + " of " + run.model()
                + " into " + version.export());
        return RepeatStatus.FINISHED;
    }
}
