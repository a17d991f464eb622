package dev.caravan.bench.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.caravan.serving.ServingEndpoint;
import dev.caravan.smoketest.SampleDigits;

/**
 * Concurrent clients predicting a digit again and again over gRPC and REST, each request right after the answer to
 * the previous one, until closed. Every request counts in the phase it started in; a failed one is counted and the
 * client goes on, so one fault cannot hide the next.
 */
final class PredictLoad implements AutoCloseable {

    private static final int FAILURES_KEPT = 10;

    private final List<Thread> threads = new ArrayList<>();
    private final List<Tally> grpc = new ArrayList<>();
    private final List<Tally> rest = new ArrayList<>();
    private final Queue<String> firstFailures = new ConcurrentLinkedQueue<>();
    private volatile Phase phase = Phase.WARM_UP;
    private volatile boolean running = true;

    private PredictLoad() {
    }

    /** Starts {@code grpcClients} and {@code restClients} clients asking for {@code model}, in the warm-up phase. */
    static PredictLoad start(ServingEndpoint endpoint, String model, int grpcClients, int restClients) throws Exception {
        float[] digit = SampleDigits.load().get(0).pixels();
        PredictLoad load = new PredictLoad();
        for (int i = 0; i < grpcClients; i++) {
            load.client("grpc-" + i, PredictCall.grpc(endpoint, model, digit), load.grpc);
        }
        for (int i = 0; i < restClients; i++) {
            load.client("rest-" + i, PredictCall.rest(endpoint, model, digit), load.rest);
        }
        return load;
    }

    void enter(Phase next) {
        phase = next;
    }

    /**
     * Stops the clients after their request in flight, then tells what they saw.
     *
     * @return the gRPC clients' tally and the REST clients' one
     */
    List<Tally> stop() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join();
        }
        return List.of(sum(grpc), sum(rest));
    }

    /** The first few failures, each as the client that saw it and what it saw. */
    List<String> firstFailures() {
        return List.copyOf(firstFailures);
    }

    @Override
    public void close() throws InterruptedException {
        if (running) {
            stop();
        }
    }

    private void client(String name, PredictCall call, List<Tally> tallies) {
        Tally tally = new Tally();
        tallies.add(tally);
        Thread thread = new Thread(() -> predictUntilStopped(name, call, tally), "switches-client-" + name);
        // A client left running by a scenario that failed must not keep the JVM alive.
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void predictUntilStopped(String name, PredictCall call, Tally tally) {
        try (call) {
            while (running) {
                Phase now = phase;
                long start = System.nanoTime();
                try {
                    long version = call.predict();
                    tally.answered(now, System.nanoTime() - start, version);
                } catch (Exception e) {
                    tally.countFailure();
                    if (firstFailures.size() < FAILURES_KEPT) {
                        firstFailures.add(name + " during " + now + ": " + e);
                    }
                }
            }
        }
    }

    private static Tally sum(List<Tally> tallies) {
        return tallies.stream().reduce(new Tally(), Tally::plus);
    }
}
