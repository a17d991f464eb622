package dev.caravan.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.util.FileSystemUtils;

import dev.caravan.CaravanApplication;
import dev.caravan.pipeline.RunEvent;
import dev.caravan.pipeline.RunStore;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.snapshot.SnapshotStore;

/**
 * Operations at scale. Objects dropped under the data prefix, then the marker, at growing counts (default 1,000 then
 * 10,000): the time from the marker to the single run's start, how much of it is listing the prefix, the most heap
 * the listing holds at once, and the heap kept once the run started; then the run list API with 10,000 runs in the database: p50/p99 latency. Prints figures; asserts
 * nothing. The S3 server (Caravan's embedded one) runs in a child process. Usage: {@code OperationsBench [count ...]}.
 */
public final class OperationsBench {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/mnist/");

    private OperationsBench() {
    }

    public static void main(String[] args) throws Exception {
        int[] counts = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray() : new int[] {1_000, 10_000};
        Path home = Files.createTempDirectory("caravan-bench-");
        // The S3 server runs in a process of its own: the heap figures are then the trigger's, not the server's.
        try (S3Server s3 = S3Server.start(home.resolve("s3"));
             ConfigurableApplicationContext context = new SpringApplicationBuilder(CaravanApplication.class).run(
                "--caravan.home=" + home, "--logging.threshold.console=WARN", "--server.port=0",
                "--caravan.s3.endpoint=" + s3.endpoint(), "--caravan.s3.access-key-id=" + S3Server.ACCESS_KEY,
                "--caravan.s3.secret-access-key=" + S3Server.SECRET_KEY,
                "--caravan.serving.grpc-port=0", "--caravan.serving.rest-port=0")) {
            List<RunEvent> events = new CopyOnWriteArrayList<>();
            context.addApplicationListener(event -> {
                if (event instanceof PayloadApplicationEvent<?> payload && payload.getPayload() instanceof RunEvent run) {
                    events.add(run);
                }
            });
            out("Caravan operations benchmark (%d cores, poll interval %s)", Runtime.getRuntime().availableProcessors(),
                    context.getEnvironment().getProperty("caravan.trigger.poll-interval"));
            out("  %8s  %9s  %16s  %13s  %22s  %20s", "objects", "upload", "marker -> start", "of it listing",
                    "live heap while listing", "heap kept after run");
            int uploaded = 0;
            for (int count : counts) {
                long uploadStart = System.nanoTime();
                upload(context.getBean(ObjectStore.class), uploaded, count);
                uploaded = count;
                double uploadSeconds = (System.nanoTime() - uploadStart) / 1e9;
                Trigger trigger = trigger(context, events);
                Listing listing = listing(context.getBean(SnapshotStore.class));
                out("  %8d  %7.1f s  %14.2f s  %11.2f s  %+19.2f MB  %+17.1f MB   (runs started: %d)", listing.objects(),
                        uploadSeconds, trigger.toStart(), listing.seconds(), listing.peakLiveHeap() / 1e6,
                        trigger.heapKept() / 1e6, trigger.runsStarted());
                // The run fails at validateData (these objects are not MNIST); the next count waits for its end.
                while (events.stream().filter(RunEvent.RunFinished.class::isInstance).count() < trigger.runsStarted()) {
                    Thread.sleep(20);
                }
            }
            listLatency(context, 10_000);
        } finally {
            FileSystemUtils.deleteRecursively(home);
        }
    }

    private record Trigger(double toStart, long heapKept, long runsStarted) {
    }

    private record Listing(int objects, double seconds, long peakLiveHeap) {
    }

    /**
     * Hashes the prefix's listing as the trigger's freeze does, timed; then again while the live heap is sampled (a
     * full collection every 20 ms), for the most memory the listing held at once above what was live before it.
     */
    private static Listing listing(SnapshotStore snapshots) throws Exception {
        long start = System.nanoTime();
        int objects = snapshots.hash(DATA, "_SUCCESS").objectCount();
        double seconds = (System.nanoTime() - start) / 1e9;
        long before = usedHeapAfterGc();
        CompletableFuture<?> freeze = CompletableFuture.runAsync(() -> snapshots.hash(DATA, "_SUCCESS"));
        long peak = before;
        while (!freeze.isDone()) {
            peak = Math.max(peak, usedHeapAfterGc(20));
        }
        freeze.get();
        return new Listing(objects, seconds, peak - before);
    }

    /** Uploads the marker and waits for the run it starts. */
    private static Trigger trigger(ConfigurableApplicationContext context, List<RunEvent> events) throws Exception {
        long startedBefore = events.stream().filter(RunEvent.RunStarted.class::isInstance).count();
        long heapBefore = usedHeapAfterGc();
        context.getBean(ObjectStore.class).put(DATA.resolve("_SUCCESS"), String.valueOf(System.nanoTime()).getBytes());
        long marker = System.nanoTime();
        while (events.stream().filter(RunEvent.RunStarted.class::isInstance).count() == startedBefore) {
            Thread.sleep(5);
        }
        double toStart = (System.nanoTime() - marker) / 1e9;
        long heapAfter = usedHeapAfterGc();
        return new Trigger(toStart, heapAfter - heapBefore,
                events.stream().filter(RunEvent.RunStarted.class::isInstance).count());
    }

    private static void upload(ObjectStore store, int from, int to) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch done = new CountDownLatch(to - from);
        for (int i = from; i < to; i++) {
            String key = String.format("part-%05d.bin", i);
            pool.execute(() -> {
                store.put(DATA.resolve(key), key.getBytes());
                done.countDown();
            });
        }
        done.await();
        pool.shutdown();
    }

    private static void listLatency(ConfigurableApplicationContext context, int count) throws Exception {
        RunStore runs = context.getBean(RunStore.class);
        for (int i = 0; i < count; i++) {
            runs.started(String.format("bench-%05d", i), "bench", "snapshot-" + i, i, i);
            runs.ended(String.format("bench-%05d", i), "COMPLETED", "PROMOTED", "a run made by the benchmark");
        }
        String port = context.getEnvironment().getProperty("local.server.port");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs?limit=100")).build();
        for (int i = 0; i < 100; i++) {
            http.send(request, HttpResponse.BodyHandlers.discarding());
        }
        int samples = 1000;
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            nanos[i] = System.nanoTime() - start;
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET /api/runs answered " + response.statusCode());
            }
        }
        Arrays.sort(nanos);
        out("  GET /api/runs?limit=100 with %d runs: p50 %.1f ms, p99 %.1f ms (target p99 <= 100 ms, %.0f%% of it)",
                count, nanos[samples / 2] / 1e6, nanos[samples * 99 / 100] / 1e6, nanos[samples * 99 / 100] / 1e6);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        return usedHeapAfterGc(200);
    }

    private static long usedHeapAfterGc(long settleMillis) throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long used = memory.getHeapMemoryUsage().getUsed();
        Thread.sleep(settleMillis);
        return used;
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
