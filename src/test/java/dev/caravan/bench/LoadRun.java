package dev.caravan.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** Runs one call from several threads for a while and reports throughput and latency percentiles. */
final class LoadRun {

    /** One request or call; throws when it failed. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    /** A thread's own call, so clients need not be shared (threads get their index). */
    @FunctionalInterface
    interface CallFactory {
        Call create(int thread) throws Exception;
    }

    record Result(String name, long calls, double seconds, double p50Millis, double p99Millis) {

        double perSecond() {
            return calls / seconds;
        }

        @Override
        public String toString() {
            return String.format("%-28s %10.0f calls/s   p50 %6.3f ms   p99 %6.3f ms   (%d calls in %.1f s)",
                    name, perSecond(), p50Millis, p99Millis, calls, seconds);
        }
    }

    private LoadRun() {
    }

    /** Warms up, then measures; fails on the first failed call, as a benchmark of failing calls means nothing. */
    static Result measure(String name, int threads, Duration warmUp, Duration measured, CallFactory factory)
            throws Exception {
        run(threads, warmUp, factory, false);
        long start = System.nanoTime();
        long[][] latencies = run(threads, measured, factory, true);
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(name, all.length, seconds, percentile(all, 0.50), percentile(all, 0.99));
    }

    private static long[][] run(int threads, Duration duration, CallFactory factory, boolean record) throws Exception {
        long[][] latencies = new long[threads][];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Call call = factory.create(index);
            Thread worker = new Thread(() -> {
                long[] own = new long[1 << 16];
                int count = 0;
                ready.countDown();
                try {
                    go.await();
                    long end = System.nanoTime() + duration.toNanos();
                    for (long now = System.nanoTime(); now < end && failure.get() == null; ) {
                        call.run();
                        long after = System.nanoTime();
                        if (record) {
                            own = count == own.length ? Arrays.copyOf(own, count * 2) : own;
                            own[count++] = after - now;
                        }
                        now = after;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                latencies[index] = Arrays.copyOf(own, count);
            }, "bench-" + name(index));
            workers.add(worker);
            worker.start();
        }
        ready.await();
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a call failed during the benchmark: " + failure.get(), failure.get());
        }
        return latencies;
    }

    private static String name(int index) {
        return Integer.toString(index);
    }

    private static double percentile(long[] sorted, double fraction) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) (fraction * sorted.length))] / 1e6;
    }
}
