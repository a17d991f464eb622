package dev.caravan.kubernetes.testutil;

/**
 * A replica of a training job that failed, as the training operator counts it: its type ({@code Chief},
 * {@code Worker}, {@code PS}) and, in the message, which one and why.
 */
public final class ReplicaFailure extends RuntimeException {

    private final String replicaType;

    public ReplicaFailure(String replicaType, String message) {
        super(message);
        this.replicaType = replicaType;
    }

    public String replicaType() {
        return replicaType;
    }
}
