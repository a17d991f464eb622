package dev.caravan.trigger;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.snapshot.Snapshot;
import io.micrometer.core.instrument.MeterRegistry;

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
    private final IdempotentRepository seen;
    private final MeterRegistry meters;
    private final Map<String, Object> markerLocks = new ConcurrentHashMap<>();

    public RetrainTrigger(PipelineCatalog pipelines, RunOperations operations,
                          @Qualifier("seenObjects") IdempotentRepository seen, MeterRegistry meters) {
        this.pipelines = pipelines;
        this.operations = operations;
        this.seen = seen;
        this.meters = meters;
    }

    /**
     * Launches {@code pipeline}'s retrain for its marker unless the marker was seen before, and records it as seen
     * once the run is in the database, so a crash in between finds it again. One marker of a pipeline at a time:
     * the marker route's poll and a notification of the same marker start one run and freeze its data once. The
     * marker's lag, from its Last-Modified in S3 to here, goes to the timer {@code caravan.trigger.lag} whichever
     * path saw it.
     *
     * @param seenKey the marker as every trigger path records it: {@code bucket/key|ETag|Last-Modified}
     * @param stored  the marker's Last-Modified (the S3 consumer's {@code CamelAwsS3LastModified}); null: unknown
     * @return what became of the request, or empty when the marker was seen before
     */
    public Optional<RunOperations.Submission> launchForMarker(String pipeline, String seenKey, Date stored) {
        synchronized (markerLocks.computeIfAbsent(pipeline, name -> new Object())) {
            if (seen.contains(seenKey)) {
                return Optional.empty();
            }
            Instant seenAt = Instant.now();
            RunOperations.Submission submission = launch(pipeline);
            seen.add(seenKey);
            if (stored != null) {
                Duration lag = Duration.between(stored.toInstant(), seenAt);
                meters.timer("caravan.trigger.lag").record(lag.isNegative() ? Duration.ZERO : lag);
            }
            return Optional.of(submission);
        }
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
