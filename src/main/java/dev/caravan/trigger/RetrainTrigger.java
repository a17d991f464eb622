package dev.caravan.trigger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.stereotype.Component;

import dev.caravan.pipeline.RetrainLauncher;
import dev.caravan.storage.S3Location;
import dev.caravan.system.CaravanProperties;

/**
 * What the trigger routes call once an upload is complete: freeze the data into a snapshot, then launch the
 * {@code retrain} job for it. A failed run throws, so the route's idempotent repository forgets the snapshot and
 * the same data can be triggered again.
 */
@Component("retrainTrigger")
public class RetrainTrigger {

    private static final Logger log = LoggerFactory.getLogger(RetrainTrigger.class);

    private final SnapshotStore snapshots;
    private final RetrainLauncher launcher;
    private final CaravanProperties properties;

    public RetrainTrigger(SnapshotStore snapshots, RetrainLauncher launcher, CaravanProperties properties) {
        this.snapshots = snapshots;
        this.launcher = launcher;
        this.properties = properties;
    }

    public Snapshot freeze() {
        S3Location prefix = new S3Location(properties.bucket(), properties.dataPrefix());
        Snapshot snapshot = snapshots.freezeAndSave(prefix, properties.trigger().marker());
        log.info("Upload complete under {}: {} objects, {} bytes, snapshot {}", prefix, snapshot.objects().size(),
                snapshot.totalBytes(), snapshot.hash());
        return snapshot;
    }

    public void launch(Snapshot snapshot) {
        JobExecution execution = launcher.launch(properties.modelName(), snapshot.hash());
        if (execution.getStatus() == BatchStatus.FAILED) {
            throw new RetrainFailedException("run for snapshot " + snapshot.hash() + " failed: "
                    + RetrainLauncher.failureMessage(execution) + "; fix the cause and upload the "
                    + properties.trigger().marker() + " marker again to retry");
        }
    }

    /** The poll interval of the S3 consumers, in milliseconds. */
    public long pollIntervalMillis() {
        return properties.trigger().pollInterval().toMillis();
    }

    public boolean quietPeriodEnabled() {
        return !properties.trigger().quietPeriod().isZero();
    }

    /** The aggregator's inactivity timeout; a placeholder value while the quiet-period route is switched off. */
    public long quietPeriodMillis() {
        return quietPeriodEnabled() ? properties.trigger().quietPeriod().toMillis() : 60_000;
    }

    /** The key of the completion marker the trigger route waits for. */
    public String markerKey() {
        return properties.dataPrefix() + properties.trigger().marker();
    }

    /** Thrown when a triggered run fails, so the trigger is not recorded as done. */
    public static class RetrainFailedException extends RuntimeException {

        public RetrainFailedException(String message) {
            super(message);
        }
    }
}
