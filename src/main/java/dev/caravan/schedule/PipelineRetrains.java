package dev.caravan.schedule;

import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.pipeline.RetrainCoordinator;
import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.RunStore;
import dev.caravan.snapshot.Snapshot;

/** {@link Retrains} on Caravan's coordinator, runs table and snapshot store: the same path as the API's submit. */
@Component
class PipelineRetrains implements Retrains {

    private final RetrainCoordinator coordinator;
    private final RunOperations operations;
    private final RunStore runs;
    private final PipelineCatalog pipelines;

    PipelineRetrains(RetrainCoordinator coordinator, RunOperations operations, RunStore runs,
                     PipelineCatalog pipelines) {
        this.coordinator = coordinator;
        this.operations = operations;
        this.runs = runs;
        this.pipelines = pipelines;
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
    public String runName(String model, Snapshot snapshot, Map<String, String> parameters) {
        return operations.runName(pipelines.resolve(model), snapshot.hash(), parameters);
    }

    @Override
    public Snapshot freeze(String model) {
        return operations.freeze(pipelines.resolve(model));
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
    public RunOperations.Submission submit(String model, Snapshot snapshot, Map<String, String> parameters,
                                           String origin) {
        return operations.submit(pipelines.resolve(model), snapshot, parameters, origin);
    }
}
