package dev.caravan.pipeline;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.data.DataValidation;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.snapshot.Snapshot;
import dev.caravan.snapshot.SnapshotStore;

/**
 * Checks that the data is still the snapshot the run was triggered for, then validates it as the pipeline says. A
 * problem fails the run here, naming the object and what is wrong, before anything is trained or served.
 */
class ValidateDataTasklet implements Tasklet {

    private final SnapshotStore snapshots;
    private final DataValidation validation;
    private final PipelineCatalog pipelines;

    ValidateDataTasklet(SnapshotStore snapshots, DataValidation validation, PipelineCatalog pipelines) {
        this.snapshots = snapshots;
        this.validation = validation;
        this.pipelines = pipelines;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        PipelineDefinition pipeline = run.pipeline(pipelines);
        String marker = pipeline.source().marker();
        Snapshot now = snapshots.freeze(run.dataDir(), marker);
        if (!now.hash().equals(run.snapshot())) {
            throw new IllegalStateException("the data under " + run.dataDir() + " changed since this run was triggered "
                    + "(snapshot " + run.snapshot() + ", now " + now.hash() + "); the newer upload triggers its own run "
                    + "when its " + marker + " marker arrives");
        }
        StepMessages.say(chunk, validation.validate(pipeline.validation(), run.dataDir()));
        return RepeatStatus.FINISHED;
    }
}
