package dev.caravan.leader;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A {@link Leadership} whose election reports to {@link #granted()} and {@link #revoked()}. It stops first of
 * Caravan's lifecycle beans: when Caravan stops, the listeners hand their work over while the database and the
 * routes are still up, and only then does {@link #stopElection()} let the leadership go to another replica.
 */
public abstract class ElectedLeadership implements Leadership, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ElectedLeadership.class);

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final String description;
    private volatile boolean leader;
    private boolean elected;
    private volatile boolean running;

    /** @param description how this replica is elected, for the log, e.g. "the Lease caravan-leader" */
    protected ElectedLeadership(String description) {
        this.description = description;
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public synchronized void addListener(Listener listener) {
        listeners.add(listener);
        if (leader) {
            listener.granted();
        }
    }

    /** The election made this replica the leader; its listeners hear of it once it has started. */
    protected synchronized void granted() {
        elected = true;
        if (running) {
            lead();
        }
    }

    /** This replica lost the election, or lets it go. */
    protected synchronized void revoked() {
        elected = false;
        follow();
    }

    /** Begins to take part in the election. */
    protected abstract void startElection();

    /** Leaves the election, letting leadership go if it held it. */
    protected abstract void stopElection();

    @Override
    public void start() {
        startElection();
        synchronized (this) {
            running = true;
            if (elected) {
                lead();
            }
        }
    }

    @Override
    public void stop() {
        synchronized (this) {
            running = false;
            follow();
        }
        stopElection();
    }

    private void lead() {
        if (!leader) {
            leader = true;
            log.info("This Caravan leads now ({}): it starts the runs", description);
            listeners.forEach(Listener::granted);
        }
    }

    private void follow() {
        if (leader) {
            leader = false;
            log.info("This Caravan no longer leads ({}): it records requests for the leader", description);
            listeners.forEach(Listener::revoked);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Started last and stopped first, so the work is handed over before anything it needs stops. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
