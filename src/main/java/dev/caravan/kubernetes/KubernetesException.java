package dev.caravan.kubernetes;

/** A Kubernetes API call that failed for good, or a precondition not met; the message says what to do. */
public class KubernetesException extends RuntimeException {

    public KubernetesException(String message) {
        super(message);
    }

    public KubernetesException(String message, Throwable cause) {
        super(message, cause);
    }
}
