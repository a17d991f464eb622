package dev.caravan.storage;

import java.util.function.Consumer;

/**
 * Objects heard of as S3 stores them, the "ObjectCreated" events of S3 event notifications: the embedded server tells
 * of each one; an external S3 tells nothing here (its notifications come by webhook or SQS).
 */
public interface ObjectCreatedEvents {

    /**
     * Calls {@code listener} with each object stored from now on, put whole, completed from parts or copied, once it
     * can be read, on the thread that stored it. What the listener throws is logged and does not fail the upload.
     */
    void subscribe(Consumer<S3Location> listener);
}
