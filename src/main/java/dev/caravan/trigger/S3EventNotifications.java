package dev.caravan.trigger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/**
 * Starts retrains from S3 event notifications instead of waiting for the next poll: the JSON that AWS S3 ("Event
 * message structure", version 2.x) and MinIO's webhook target send, {@code {"Records": [{"eventName":
 * "s3:ObjectCreated:Put", "s3": {"bucket": {"name": ...}, "object": {"key": ...}}}]}}. A record of an object
 * created under a pipeline's marker key starts that pipeline's retrain, as the marker route would. Both paths record
 * the marker as seen under the same key (bucket/key, ETag, Last-Modified), so whichever sees it first starts the run
 * and the other does nothing; the snapshot's identity keeps the same data from training twice even when both race.
 */
@Component("s3EventNotifications")
public class S3EventNotifications {

    private static final Logger log = LoggerFactory.getLogger(S3EventNotifications.class);

    /** What became of one notification: the markers it named and the runs they started or joined. */
    public record Outcome(int records, List<Map<String, Object>> markers) {
    }

    private final PipelineCatalog pipelines;
    private final RetrainTrigger trigger;
    private final ObjectStore store;
    private final IdempotentRepository seen;
    private final ObjectMapper json;

    S3EventNotifications(PipelineCatalog pipelines, RetrainTrigger trigger, ObjectStore store,
                         @Qualifier("seenObjects") IdempotentRepository seen, ObjectMapper json) {
        this.pipelines = pipelines;
        this.trigger = trigger;
        this.store = store;
        this.seen = seen;
        this.json = json;
    }

    /**
     * Handles one notification body; records that are not an object created under a marker key are ignored.
     *
     * @throws IllegalArgumentException when the body is not S3 event JSON with {@code Records}
     */
    public Outcome notified(String body) {
        JsonNode records = records(body);
        List<Map<String, Object>> markers = new ArrayList<>();
        for (JsonNode record : records) {
            String event = record.path("eventName").asText("");
            String bucket = record.path("s3").path("bucket").path("name").asText("");
            String key = S3Keys.decode(record.path("s3").path("object").path("key").asText(""));
            if (!event.contains("ObjectCreated:")) {
                continue;
            }
            for (PipelineDefinition pipeline : pipelines.all()) {
                if (pipeline.source().bucket().equals(bucket) && pipeline.source().markerKey().equals(key)) {
                    markers.add(marker(pipeline, new S3Location(bucket, key)));
                }
            }
        }
        return new Outcome(records.size(), markers);
    }

    private Map<String, Object> marker(PipelineDefinition pipeline, S3Location marker) {
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("pipeline", pipeline.name());
        outcome.put("marker", marker.uri());
        String seenKey = seenKey(marker);
        if (seenKey == null) {
            outcome.put("result", "the marker is gone; nothing to start");
        } else if (!seen.add(seenKey)) {
            outcome.put("result", "seen before: its run was asked for already");
        } else {
            try {
                RunOperations.Submission submission = trigger.launch(pipeline.name());
                log.info("S3 event: marker {} of pipeline {} -> run {} ({})", marker.uri(), pipeline.name(),
                        submission.run(), submission.admission());
                outcome.put("run", submission.run());
                outcome.put("result", submission.admission().name());
            } catch (RuntimeException e) {
                // Not seen after all: the next poll, or a repeated notification, asks again.
                seen.remove(seenKey);
                throw e;
            }
        }
        return outcome;
    }

    /** The key the marker route records a marker under ({@code routes/retrain-on-data.camel.yaml}). */
    private String seenKey(S3Location marker) {
        try {
            HeadObjectResponse head = store.head(marker);
            return marker.bucket() + "/" + marker.key() + "|" + head.eTag() + "|" + head.lastModified();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private JsonNode records(String body) {
        try {
            JsonNode records = json.readTree(body == null ? "" : body).path("Records");
            if (!records.isArray()) {
                throw new IllegalArgumentException("an S3 event notification has a Records array (AWS S3 event "
                        + "message structure, as MinIO's webhook sends it); this body has none");
            }
            return records;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("an S3 event notification is JSON; this body is not: "
                    + e.getOriginalMessage());
        }
    }
}
