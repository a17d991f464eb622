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
import dev.caravan.trigger.SnapshotStore;

/**
 * Operations at scale. Objects dropped under the data prefix, then the marker, at growing counts (default 1,000 then
 * 10,000): the time from the marker to the single run's start, how much of it is listing the prefix, and the heap
 * the trigger keeps; then the run list API with 10,000 runs in the database: p50/p99 latency. Prints figures; asserts
 * nothing. Usage: {@code OperationsBench [count ...]}.
 */
public final class OperationsBench {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/mnist/");

    private OperationsBench() {
    }

    public static void main(String[] args) throws Exception {
        int[] counts = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray() : new int[] {1_000, 10_000};
        Path home = Files.createTempDirectory("caravan-bench-");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CaravanApplication.class).run(
                "--caravan.home=" + home, "--logging.threshold.console=WARN", "--server.port=0",
                "--caravan.s3.embedded.port=0", "--caravan.serving.grpc-port=0", "--caravan.serving.rest-port=0")) {
            List<RunEvent> events = new CopyOnWriteArrayList<>();
            context.addApplicationListener(event -> {
                if (event instanceof PayloadApplicationEvent<?> payload && payload.getPayload() instanceof RunEvent run) {
                    events.add(run);
                }
            });
            out("Caravan operations benchmark (%d cores, poll interval 1 s)", Runtime.getRuntime().availableProcessors());
            out("  %8s  %14s  %16s  %14s  %24s", "objects", "upload", "marker -> start", "of it listing",
                    "heap kept (after GC)");
            int uploaded = 0;
            for (int count : counts) {
                long uploadStart = System.nanoTime();
                upload(context.getBean(ObjectStore.class), uploaded, count);
                uploaded = count;
                double uploadSeconds = (System.nanoTime() - uploadStart) / 1e9;
                Trigger trigger = trigger(context, events);
                long listStart = System.nanoTime();
                int listed = context.getBean(SnapshotStore.class).freeze(DATA, "_SUCCESS").objectCount();
                double listSeconds = (System.nanoTime() - listStart) / 1e9;
                out("  %8d  %12.1f s  %14.2f s  %12.2f s  %+14.1f MB (runs: %d)", listed, uploadSeconds,
                        trigger.toStart(), listSeconds, trigger.heapKept() / 1e6, trigger.runsStarted());
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
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        Thread.sleep(200);
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
