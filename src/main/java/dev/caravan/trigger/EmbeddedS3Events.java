package dev.caravan.trigger;

import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

import dev.caravan.storage.ObjectCreatedEvents;
import dev.caravan.storage.S3Location;

/**
 * The embedded S3 server's own event notifications, as MinIO's bucket notifications would send them: each marker
 * the server stores goes to {@code seda:embedded-s3-events} as it is stored, and route
 * {@code retrain-on-embedded-s3-events} ({@code routes/retrain-on-s3-events.camel.yaml}) starts its run without
 * waiting for the next poll. The upload's own thread only queues it. Polling stays on as the fallback, for markers
 * stored while Caravan starts or stops; the marker is recorded as seen by whichever path sees it first, so it starts
 * one run. {@code caravan.trigger.embedded-events=false} leaves the markers to polling.
 */
@Component
class EmbeddedS3Events {

    static final String ENDPOINT = "seda:embedded-s3-events";

    EmbeddedS3Events(ObjectCreatedEvents created, TriggerSettings settings, S3EventNotifications notifications,
                     ProducerTemplate producer) {
        if (settings.embeddedEvents()) {
            created.subscribe(object -> queueMarker(object, notifications, producer));
        }
    }

    private static void queueMarker(S3Location object, S3EventNotifications notifications, ProducerTemplate producer) {
        // Before the routes run, or after they stop, the next poll sees the marker.
        if (notifications.namesMarker(object) && producer.getCamelContext().getStatus().isStarted()) {
            producer.sendBody(ENDPOINT, object);
        }
    }
}
