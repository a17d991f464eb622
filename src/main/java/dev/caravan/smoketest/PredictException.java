package dev.caravan.smoketest;

/** A prediction the model server did not give; the message names the server and what to check. */
public class PredictException extends RuntimeException {

    public PredictException(String message, Throwable cause) {
        super(message, cause);
    }
}
