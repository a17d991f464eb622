package dev.caravan.leader;

/**
 * Whether this Caravan replica leads the others. Only the leader starts runs, polls S3 for triggers and sweeps
 * TensorBoards; every replica takes requests and answers reads. On Kubernetes the Lease {@code caravan-leader} elects
 * the leader; elsewhere a lock row in the shared database does ({@code caravan.leader.*}). A single Caravan leads at
 * once.
 */
public interface Leadership {

    /** True while this replica leads. */
    boolean isLeader();

    /**
     * Tells {@code listener} each time this replica becomes leader and each time it stops being it, the last time
     * when Caravan stops, before the replica lets its leadership go. Each call is made on one thread at a time, in
     * order; a listener that registers while this replica leads is told {@link Listener#granted()} at once.
     */
    void addListener(Listener listener);

    /** What a replica does when leadership comes and goes. */
    interface Listener {

        /** This replica now leads: take over what the previous leader left. */
        void granted();

        /** This replica no longer leads: stop launching, and leave what runs for the next leader. */
        void revoked();
    }
}
