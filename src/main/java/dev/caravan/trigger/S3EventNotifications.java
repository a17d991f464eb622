package dev.caravan.trigger;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * created under a pipeline's marker key starts that pipeline's retrain, as the marker route would. Every path goes
 * through {@link RetrainTrigger#launchForMarker} with the same key (bucket/key, ETag, Last-Modified), so whichever
 * sees the marker first starts the run and the others do nothing.
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
    private final ObjectMapper json;

    S3EventNotifications(PipelineCatalog pipelines, RetrainTrigger trigger, ObjectStore store, ObjectMapper json) {
        this.pipelines = pipelines;
        this.trigger = trigger;
        this.store = store;
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
            if (event.contains("ObjectCreated:") && !bucket.isEmpty()) {
                markers.addAll(objectCreated(new S3Location(bucket, key)));
            }
        }
        return new Outcome(records.size(), markers);
    }

    /**
     * Handles one new object as a notification's record of it: when it is a pipeline's marker, starts that pipeline's
     * retrain, or tells that its run was asked for already.
     *
     * @return per pipeline whose marker the object is: the pipeline, the marker, and the run or why there is none
     */
    public List<Map<String, Object>> objectCreated(S3Location object) {
        List<Map<String, Object>> markers = new ArrayList<>();
        for (PipelineDefinition pipeline : pipelines.all()) {
            if (isMarker(pipeline, object)) {
                markers.add(marker(pipeline, object));
            }
        }
        return markers;
    }

    /** Whether an object is some pipeline's marker: only those start anything. */
    public boolean namesMarker(S3Location object) {
        return pipelines.all().stream().anyMatch(pipeline -> isMarker(pipeline, object));
    }

    private static boolean isMarker(PipelineDefinition pipeline, S3Location object) {
        return pipeline.source().bucket().equals(object.bucket()) && pipeline.source().markerKey().equals(object.key());
    }

    private Map<String, Object> marker(PipelineDefinition pipeline, S3Location marker) {
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("pipeline", pipeline.name());
        outcome.put("marker", marker.uri());
        Optional<HeadObjectResponse> head = head(marker);
        if (head.isEmpty()) {
            outcome.put("result", "the marker is gone; nothing to start");
        } else {
            // The key the marker route records a marker under (routes/retrain-on-data.camel.yaml).
            String seenKey = marker.bucket() + "/" + marker.key() + "|" + head.get().eTag() + "|"
                    + head.get().lastModified();
            Optional<RunOperations.Submission> launched = trigger.launchForMarker(pipeline.name(), seenKey,
                    Date.from(head.get().lastModified()));
            launched.ifPresentOrElse(submission -> {
                log.info("S3 event: marker {} of pipeline {} -> run {} ({})", marker.uri(), pipeline.name(),
                        submission.run(), submission.admission());
                outcome.put("run", submission.run());
                outcome.put("result", submission.admission().name());
            }, () -> outcome.put("result", "seen before: its run was asked for already"));
        }
        return outcome;
    }

    private Optional<HeadObjectResponse> head(S3Location marker) {
        try {
            return Optional.of(store.head(marker));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * The records of a notification: S3's own JSON, or that JSON as the {@code Message} of an SNS envelope (S3 -> SNS
     * -> SQS). The test event S3 sends when a notification is configured has none.
     */
    private JsonNode records(String body) {
        try {
            JsonNode notification = json.readTree(body == null ? "" : body);
            if (notification.path("Type").asText().equals("Notification") && notification.path("Message").isTextual()) {
                notification = json.readTree(notification.path("Message").asText());
            }
            if (notification.path("Event").asText().equals("s3:TestEvent")) {
                return json.createArrayNode();
            }
            JsonNode records = notification.path("Records");
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
