package dev.caravan.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

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

    /** Some way of making calls with a given concurrency for a while. */
    @FunctionalInterface
    interface Load {
        Result run(String name, int concurrency, Duration duration) throws Exception;
    }

    /** Each of {@code concurrency} threads makes its calls one after the other. */
    static Load threads(CallFactory factory) {
        return (name, concurrency, duration) -> measure(name, concurrency, duration, factory);
    }

    /** Calls made and their latencies (nanoseconds, sorted) over some seconds. */
    record Result(String name, double seconds, long[] latencies, CpuUse cpu) {

        Result(String name, double seconds, long[] latencies) {
            this(name, seconds, latencies, null);
        }

        /** This result with the CPU its calls used. */
        Result withCpu(CpuUse used) {
            return new Result(name, seconds, latencies, used);
        }

        long calls() {
            return latencies.length;
        }

        double perSecond() {
            return calls() / seconds;
        }

        /** This result and another of the same calls, as if measured in one go. */
        Result plus(Result other) {
            long[] all = LongStream.concat(Arrays.stream(latencies), Arrays.stream(other.latencies)).sorted().toArray();
            CpuUse both = cpu == null ? other.cpu : other.cpu == null ? cpu : cpu.plus(other.cpu);
            return new Result(name, seconds + other.seconds, all, both);
        }

        @Override
        public String toString() {
            return String.format("%-30s %8.0f calls/s   p50 %6.3f ms   p99 %6.3f ms   (%d calls in %.1f s)%s",
                    name, perSecond(), percentile(0.50), percentile(0.99), calls(), seconds,
                    cpu == null ? "" : "\n    " + cpu.perCall(calls()));
        }

        /** The latency at {@code fraction} of the calls (0.99: p99), milliseconds. */
        double percentile(double fraction) {
            return latencies.length == 0 ? Double.NaN
                    : latencies[Math.min(latencies.length - 1, (int) (fraction * latencies.length))] / 1e6;
        }
    }

    private LoadRun() {
    }

    /** Measures; fails on the first failed call, as a benchmark of failing calls means nothing. */
    private static Result measure(String name, int threads, Duration measured, CallFactory factory) throws Exception {
        long start = System.nanoTime();
        long[][] latencies = run(threads, measured, factory);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(name, seconds, Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray());
    }

    private static long[][] run(int threads, Duration duration, CallFactory factory) throws Exception {
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
                        own = count == own.length ? Arrays.copyOf(own, count * 2) : own;
                        own[count++] = after - now;
                        now = after;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                CpuUse.clientThreadEnded();
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
}
