package dev.caravan.storage;

/** An object changed or went away between reading its ETag and acting on it. */
public class ObjectChangedException extends RuntimeException {

    private final S3Location object;

    public ObjectChangedException(S3Location object, String etag, Throwable cause) {
        super(object + " is no longer the object with ETag " + etag + " (it was overwritten or deleted)", cause);
        this.object = object;
    }

    public S3Location object() {
        return object;
    }
}
