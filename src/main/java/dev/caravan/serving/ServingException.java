package dev.caravan.serving;

/** A model version that could not be served; the message says why and what to do. */
public class ServingException extends RuntimeException {

    public ServingException(String message) {
        super(message);
    }

    public ServingException(String message, Throwable cause) {
        super(message, cause);
    }
}
