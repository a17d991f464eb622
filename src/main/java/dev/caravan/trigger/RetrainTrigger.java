package dev.caravan.trigger;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.caravan.pipeline.RetrainCoordinator;
import dev.caravan.pipeline.RetrainRequest;
import dev.caravan.storage.S3Location;
import dev.caravan.system.CaravanProperties;

/**
 * What the trigger routes call once an upload is complete: freeze the data into a snapshot and ask for a retrain
 * on it. The snapshot identifies the run, so data that trained before is skipped, and a snapshot whose run failed
 * resumes from the failed step when it is triggered again.
 */
@Component("retrainTrigger")
public class RetrainTrigger {

    private static final Logger log = LoggerFactory.getLogger(RetrainTrigger.class);

    private final SnapshotStore snapshots;
    private final RetrainCoordinator coordinator;
    private final CaravanProperties properties;

    public RetrainTrigger(SnapshotStore snapshots, RetrainCoordinator coordinator, CaravanProperties properties) {
        this.snapshots = snapshots;
        this.coordinator = coordinator;
        this.properties = properties;
    }

    public Snapshot freeze() {
        S3Location prefix = new S3Location(properties.bucket(), properties.dataPrefix());
        Snapshot snapshot = snapshots.freezeAndSave(prefix, properties.trigger().marker());
        log.info("Upload complete under {}: {} objects, {} bytes, snapshot {}", prefix, snapshot.objectCount(),
                snapshot.totalBytes(), snapshot.hash());
        return snapshot;
    }

    public RetrainCoordinator.Admission launch(Snapshot snapshot) {
        return coordinator.submit(new RetrainRequest(properties.modelName(), snapshot.hash(), Map.of(),
                "upload to " + snapshot.location()));
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
}
