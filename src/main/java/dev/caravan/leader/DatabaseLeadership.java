package dev.caravan.leader;

import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * Leadership through a lock in the shared database: Spring Integration's {@link LockRegistryLeaderInitiator} holds
 * the lock {@value #ROLE} of a JDBC lock registry while this replica leads, renewing it every heartbeat. A leader that
 * stops releases it at once; one that dies keeps it until its time to live passes, and another replica takes it.
 */
final class DatabaseLeadership extends ElectedLeadership {

    /** The lock's key (Spring Integration's role) in {@code INT_LOCK}. */
    static final String ROLE = "caravan-leader";

    private final LockRegistryLeaderInitiator initiator;

    DatabaseLeadership(LockRegistry locks, String replicaId, LeaderSettings settings) {
        super("the database lock " + ROLE + " held as " + replicaId);
        initiator = new LockRegistryLeaderInitiator(locks, new DefaultCandidate(replicaId, ROLE) {
            @Override
            public void onGranted(Context context) {
                granted();
            }

            @Override
            public void onRevoked(Context context) {
                revoked();
            }
        });
        initiator.setHeartBeatMillis(settings.heartbeat().toMillis());
        initiator.setBusyWaitMillis(settings.retryPeriod().toMillis());
        initiator.setAutoStartup(false);
        // Its own daemon thread: the default executor's would keep the JVM alive after Caravan stops.
        SimpleAsyncTaskExecutor thread = new SimpleAsyncTaskExecutor("caravan-leader-");
        thread.setDaemon(true);
        initiator.setTaskExecutor(thread);
    }

    @Override
    protected void startElection() {
        initiator.start();
    }

    @Override
    protected void stopElection() {
        initiator.stop();
    }
}
