package dev.caravan.pipeline;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.data.MnistDataValidator;
import dev.caravan.data.MnistSplit;
import dev.caravan.data.ValidationReport;
import dev.caravan.storage.ObjectStore;
import dev.caravan.trigger.Snapshot;
import dev.caravan.trigger.SnapshotStore;

/**
 * Checks that the data is still the snapshot the run was triggered for, then that every IDX file is sound. A
 * problem fails the run here, naming the object and what is wrong, before anything is trained or served.
 */
class ValidateDataTasklet implements Tasklet {

    private final ObjectStore store;
    private final SnapshotStore snapshots;
    private final MnistDataValidator validator;
    private final String marker;

    ValidateDataTasklet(ObjectStore store, SnapshotStore snapshots, MnistDataValidator validator, String marker) {
        this.store = store;
        this.snapshots = snapshots;
        this.validator = validator;
        this.marker = marker;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        Snapshot now = snapshots.freeze(run.dataDir(), marker);
        if (!now.hash().equals(run.snapshot())) {
            throw new IllegalStateException("the data under " + run.dataDir() + " changed since this run was triggered "
                    + "(snapshot " + run.snapshot() + ", now " + now.hash() + "); the newer upload triggers its own run "
                    + "when its " + marker + " marker arrives");
        }
        ValidationReport report = validator.validate(store, run.dataDir());
        StepMessages.say(chunk, String.format("%d training and %d test images with labels in %s",
                report.examples(MnistSplit.TRAIN), report.examples(MnistSplit.TEST), run.dataDir()));
        return RepeatStatus.FINISHED;
    }
}
