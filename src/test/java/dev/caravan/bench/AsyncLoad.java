package dev.caravan.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Keeps a number of calls in flight without client threads: each answer, on the client's transport thread, sends
 * the next call. This costs the client the least CPU, which on a machine shared with the server leaves the most
 * for the server being measured (as gRPC's own benchmark clients do).
 */
final class AsyncLoad {

    /** Starts one call for one of the in-flight slots and reports its end through exactly one of the callbacks. */
    @FunctionalInterface
    interface AsyncCall {
        void send(int slot, Runnable done, Consumer<Throwable> failed);
    }

    private AsyncLoad() {
    }

    static LoadRun.Load of(AsyncCall call) {
        return (name, concurrency, duration) -> {
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            CountDownLatch finished = new CountDownLatch(concurrency);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Slot[] slots = new Slot[concurrency];
            for (int i = 0; i < concurrency; i++) {
                slots[i] = new Slot(i, call, end, finished, failure);
                slots[i].next();
            }
            if (!finished.await(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("calls still in flight 30 s after the end of the run");
            }
            if (failure.get() != null) {
                throw new IllegalStateException("a call failed during the benchmark: " + failure.get(), failure.get());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] latencies = Arrays.stream(slots).flatMapToLong(slot -> Arrays.stream(slot.latencies, 0, slot.count))
                    .sorted().toArray();
            return new LoadRun.Result(name, seconds, latencies);
        };
    }

    /** One call in flight at a time; the latch's count-down publishes its latencies to the waiting thread. */
    private static final class Slot {

        private final int index;
        private final AsyncCall call;
        private final long end;
        private final CountDownLatch finished;
        private final AtomicReference<Throwable> failure;
        private long[] latencies = new long[1 << 14];
        private int count;

        Slot(int index, AsyncCall call, long end, CountDownLatch finished, AtomicReference<Throwable> failure) {
            this.index = index;
            this.call = call;
            this.end = end;
            this.finished = finished;
            this.failure = failure;
        }

        void next() {
            long sent = System.nanoTime();
            if (sent >= end || failure.get() != null) {
                finished.countDown();
                return;
            }
            call.send(index, () -> {
                latencies = count == latencies.length ? Arrays.copyOf(latencies, count * 2) : latencies;
                latencies[count++] = System.nanoTime() - sent;
                next();
            }, e -> {
                failure.compareAndSet(null, e);
                finished.countDown();
            });
        }
    }
}
