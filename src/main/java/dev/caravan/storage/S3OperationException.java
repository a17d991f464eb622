package dev.caravan.storage;

import java.net.URI;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * An S3 request that failed after the client's retries: no answer (refused, reset, timed out), a 5xx or a throttling
 * answer. Its message names the endpoint, the operation and the location, e.g. {@code S3 at http://127.0.0.1:9000
 * failed ListObjectsV2 s3://tfmnist/data/mnist/ after 4 attempts: 503 SlowDown (Please reduce your request rate.)}.
 * It stays an {@link SdkException}, so code that handles the SDK's failures handles this one too; the SDK's own
 * exception is the cause.
 */
public final class S3OperationException extends SdkException {

    private final URI endpoint;
    private final String operation;
    private final S3Location location;

    S3OperationException(URI endpoint, String operation, S3Location location, SdkException cause) {
        super(SdkException.builder().message(message(endpoint, operation, location, cause)).cause(cause)
                .numAttempts(cause.numAttempts()));
        this.endpoint = endpoint;
        this.operation = operation;
        this.location = location;
    }

    /** Whether {@code e} is a fault of the service or the way to it, rather than an answer about the request (4xx). */
    static boolean isFault(SdkException e) {
        if (e instanceof AwsServiceException service) {
            return service.statusCode() >= 500 || service.isThrottlingException();
        }
        return !(e instanceof S3OperationException);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The S3 API operation, e.g. {@code GetObject}. */
    public String operation() {
        return operation;
    }

    public S3Location location() {
        return location;
    }

    private static String message(URI endpoint, String operation, S3Location location, SdkException cause) {
        Integer attempts = cause.numAttempts();
        return "S3 at " + endpoint + " failed " + operation + " " + location.uri()
                + (attempts == null ? "" : " after " + attempts + (attempts == 1 ? " attempt" : " attempts"))
                + ": " + reason(cause) + "; check that S3 is up and reachable from here, then try again";
    }

    private static String reason(SdkException cause) {
        if (cause instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            String code = service.awsErrorDetails().errorCode();
            String text = service.awsErrorDetails().errorMessage();
            return service.statusCode() + (code == null ? "" : " " + code) + (text == null ? "" : " (" + text + ")");
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == cause ? text : "no answer (" + text + ")";
    }
}
