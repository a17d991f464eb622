package dev.caravan.trigger;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.snapshot.Snapshot;

/**
 * What the trigger routes call once an upload to a pipeline's prefix is complete: freeze the data into a snapshot
 * and ask for a retrain on it. The snapshot identifies the run, so data that trained before is skipped, and a
 * snapshot whose run failed resumes from the failed step when it is triggered again.
 */
@Component("retrainTrigger")
public class RetrainTrigger {

    private static final Logger log = LoggerFactory.getLogger(RetrainTrigger.class);

    private final PipelineCatalog pipelines;
    private final RunOperations operations;

    public RetrainTrigger(PipelineCatalog pipelines, RunOperations operations) {
        this.pipelines = pipelines;
        this.operations = operations;
    }

    /** Freezes the data of {@code pipeline} and submits a retrain on it; answers what became of the request. */
    public RunOperations.Submission launch(String pipeline) {
        PipelineDefinition definition = pipelines.resolve(pipeline);
        Snapshot snapshot = operations.freeze(definition);
        log.info("Upload complete under {}: {} objects, {} bytes, snapshot {}", snapshot.location(),
                snapshot.objectCount(), snapshot.totalBytes(), snapshot.hash());
        return operations.submit(definition, snapshot, Map.of(), "upload to " + snapshot.location());
    }
}
