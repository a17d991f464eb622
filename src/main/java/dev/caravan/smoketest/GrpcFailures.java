package dev.caravan.smoketest;

import java.time.Duration;

import io.grpc.StatusRuntimeException;

/** Says in words a person can act on why a call to a TensorFlow Serving gRPC server failed. */
final class GrpcFailures {

    private GrpcFailures() {
    }

    /**
     * @param address    the server's host:port
     * @param deadline   how long the call was allowed to take
     * @param refusalHint what to check when the server refuses the request itself, e.g. the model's signature
     */
    static String explain(StatusRuntimeException e, String address, Duration deadline, String refusalHint) {
        String detail = e.getStatus().getDescription() == null ? rootCause(e) : e.getStatus().getDescription();
        return switch (e.getStatus().getCode()) {
            case UNAVAILABLE -> "cannot reach the model server at " + address + ": " + rootCause(e)
                    + "; start it with ./caravan server";
            case DEADLINE_EXCEEDED -> "the model server at " + address + " did not answer within "
                    + deadline.toMillis() + " ms; is it overloaded or stuck?";
            case NOT_FOUND -> "the model server at " + address + " does not serve that model: " + detail
                    + "; check the model name and version";
            case INVALID_ARGUMENT, FAILED_PRECONDITION -> "the model server at " + address + " refused the request: "
                    + detail + "; " + refusalHint;
            default -> "the model server at " + address + " failed: " + e.getStatus().getCode() + " " + detail;
        };
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.toLowerCase().contains("connection refused") ? "connection refused" : message;
    }
}
