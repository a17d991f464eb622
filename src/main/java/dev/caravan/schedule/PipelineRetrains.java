package dev.caravan.schedule;

import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.caravan.pipeline.RetrainCoordinator;
import dev.caravan.pipeline.RetrainRequest;
import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.RunStore;
import dev.caravan.storage.S3Location;
import dev.caravan.system.CaravanProperties;
import dev.caravan.trigger.Snapshot;
import dev.caravan.trigger.SnapshotStore;

/** {@link Retrains} on Caravan's coordinator, runs table and snapshot store: the same path as the API's submit. */
@Component
class PipelineRetrains implements Retrains {

    private final RetrainCoordinator coordinator;
    private final RunOperations operations;
    private final RunStore runs;
    private final SnapshotStore snapshots;
    private final CaravanProperties properties;

    PipelineRetrains(RetrainCoordinator coordinator, RunOperations operations, RunStore runs, SnapshotStore snapshots,
                     CaravanProperties properties) {
        this.coordinator = coordinator;
        this.operations = operations;
        this.runs = runs;
        this.snapshots = snapshots;
        this.properties = properties;
    }

    @Override
    public boolean idle(String model) {
        return coordinator.idle(model);
    }

    @Override
    public Optional<String> running(String model) {
        return runs.list("STARTED", model, null, 1).stream().findFirst().map(Run::name);
    }

    @Override
    public Snapshot freeze() {
        return snapshots.freezeAndSave(new S3Location(properties.bucket(), properties.dataPrefix()),
                properties.trigger().marker());
    }

    @Override
    public Optional<Run> lastCompleted(String model) {
        return runs.list("COMPLETED", model, null, 1).stream().findFirst();
    }

    @Override
    public void stop(String run, String origin) {
        operations.stop(run, origin);
    }

    @Override
    public RetrainCoordinator.Admission submit(RetrainRequest request) {
        return coordinator.submit(request);
    }
}
