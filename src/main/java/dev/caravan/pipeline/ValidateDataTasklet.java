package dev.caravan.pipeline;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.data.DataValidation;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.snapshot.Snapshot;
import dev.caravan.snapshot.SnapshotStore;

/**
 * Checks that the data is still the snapshot the run was triggered for, then validates it as the pipeline says. A
 * problem fails the run here, naming the object and what is wrong, before anything is trained or served. Data that
 * changed since the trigger is a newer upload: the run ends SUPERSEDED, untrained, and the newer upload's own run
 * trains it.
 */
class ValidateDataTasklet implements Tasklet {

    private final SnapshotStore snapshots;
    private final DataValidation validation;
    private final PipelineCatalog pipelines;
    private final ModelRegistry registry;

    ValidateDataTasklet(SnapshotStore snapshots, DataValidation validation, PipelineCatalog pipelines,
                        ModelRegistry registry) {
        this.snapshots = snapshots;
        this.validation = validation;
        this.pipelines = pipelines;
        this.registry = registry;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        PipelineDefinition pipeline = run.pipeline(pipelines);
        String marker = pipeline.source().marker();
        Snapshot now = snapshots.freeze(run.dataDir(), marker);
        if (!now.hash().equals(run.snapshot())) {
            String reason = "the data under " + run.dataDir() + " changed since this run was triggered (snapshot "
                    + run.snapshot() + ", now " + now.hash() + "), so it is not trained; the newer upload trains in a"
                    + " run of its own once it is complete";
            registry.reject(run.model(), run.version(), reason);
            StepMessages.say(chunk, "not trained: " + reason);
            contribution.setExitStatus(new ExitStatus(PromoteTasklet.SUPERSEDED, reason));
            return RepeatStatus.FINISHED;
        }
        StepMessages.say(chunk, validation.validate(pipeline.validation(), run.dataDir()));
        return RepeatStatus.FINISHED;
    }
}
