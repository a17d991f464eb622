package dev.caravan.serving;

import dev.caravan.serving.api.Code;

/**
 * A request the model server refuses, with TensorFlow's error code (which is gRPC's status code) and a message for
 * the caller. The gRPC services answer it as a status, the REST API as an HTTP code and an {@code error} field.
 */
final class ServingError extends RuntimeException {

    private final Code code;

    ServingError(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    static ServingError notFound(String message) {
        return new ServingError(Code.NOT_FOUND, message);
    }

    static ServingError invalidArgument(String message) {
        return new ServingError(Code.INVALID_ARGUMENT, message);
    }

    static ServingError failedPrecondition(String message) {
        return new ServingError(Code.FAILED_PRECONDITION, message);
    }

    Code code() {
        return code;
    }

    /** The HTTP status TensorFlow Serving's REST API gives this code. */
    int httpStatus() {
        return switch (code) {
            case OK -> 200;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            case CANCELLED -> 499;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 500;
        };
    }
}
