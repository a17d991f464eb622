package dev.caravan.pipeline;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.data.DataValidation;
import dev.caravan.data.DataValidationException;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.snapshot.SnapshotStore;
import dev.caravan.storage.S3Location;

/**
 * Checks that the run's data snapshot (the copy frozen when the run was triggered) is intact, then validates it as
 * the pipeline says. A problem fails the run here, naming the object and what is wrong, before anything is trained or
 * served. Data uploaded since the trigger is not this run's: it is a newer snapshot, trained by a run of its own.
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
        S3Location dataDir = snapshots.frozenCopy(pipeline, run.snapshot());
        if (!dataDir.equals(run.dataDir())) {
            run.dataIn(dataDir); // a run prepared before snapshots were copied read the live prefix
        }
        snapshots.requireIntact(dataDir);
        try {
            StepMessages.say(chunk, validation.validate(pipeline.validation(), dataDir));
        } catch (DataValidationException e) {
            throw asUploaded(e, dataDir, pipeline);
        }
        return RepeatStatus.FINISHED;
    }

    /** The problem named by the object a person uploaded (and fixes), with the snapshot it was found in. */
    private static DataValidationException asUploaded(DataValidationException e, S3Location dataDir,
                                                      PipelineDefinition pipeline) {
        String frozen = dataDir.asPrefix().uri();
        if (!e.source().startsWith(frozen)) {
            return e;
        }
        String upload = pipeline.dataLocation().asPrefix().uri();
        String uploaded = upload + e.source().substring(frozen.length());
        // What to do names where to upload, never the snapshot, which is never written again.
        String problem = e.getMessage().substring(e.source().length() + 2).replace(frozen, upload);
        return new DataValidationException(uploaded, problem
                + " (as it was when the run was triggered, frozen in " + frozen + ")");
    }
}
