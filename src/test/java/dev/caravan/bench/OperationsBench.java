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

/**
 * Operations at scale: N objects dropped under the data prefix (default 10,000), then the marker — the time to
 * the single run's start and the heap the trigger used; then the run list API with 10,000 runs in the database —
 * p50/p99 latency. Prints figures; asserts nothing.
 */
public final class OperationsBench {

    private OperationsBench() {
    }

    public static void main(String[] args) throws Exception {
        int objects = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path home = Files.createTempDirectory("caravan-bench-");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CaravanApplication.class).run(
                "--caravan.home=" + home, "--logging.threshold.console=WARN", "--server.port=0",
                "--caravan.s3.embedded.port=0", "--caravan.serving.grpc-port=0", "--caravan.serving.rest-port=0")) {
            List<RunEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            context.addApplicationListener(event -> {
                if (event instanceof PayloadApplicationEvent<?> payload && payload.getPayload() instanceof RunEvent run) {
                    events.add(run);
                }
            });
            ObjectStore store = context.getBean(ObjectStore.class);
            S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
            long uploadStart = System.nanoTime();
            upload(store, data, objects);
            double uploadSeconds = (System.nanoTime() - uploadStart) / 1e9;
            long heapBefore = usedHeapAfterGc();
            store.put(data.resolve("_SUCCESS"), String.valueOf(System.nanoTime()).getBytes());
            long marker = System.nanoTime();
            while (events.stream().noneMatch(RunEvent.RunStarted.class::isInstance)) {
                Thread.sleep(5);
            }
            double toStart = (System.nanoTime() - marker) / 1e9;
            long heapAfter = usedHeapAfterGc();
            long runs = events.stream().filter(RunEvent.RunStarted.class::isInstance).count();
            out("Caravan operations benchmark (%d cores)", Runtime.getRuntime().availableProcessors());
            out("  objects under the prefix     %8d   (uploaded in %.1f s)", objects, uploadSeconds);
            out("  marker -> run start          %8.2f s (poll interval 1 s); runs started: %d", toStart, runs);
            out("  heap after GC, before/after  %8.1f / %.1f MB (difference %.1f MB)", heapBefore / 1e6,
                    heapAfter / 1e6, (heapAfter - heapBefore) / 1e6);
            listLatency(context, 10_000);
        } finally {
            FileSystemUtils.deleteRecursively(home);
        }
    }

    private static void upload(ObjectStore store, S3Location data, int objects) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch done = new CountDownLatch(objects);
        for (int i = 0; i < objects; i++) {
            String key = String.format("part-%05d.bin", i);
            pool.execute(() -> {
                store.put(data.resolve(key), key.getBytes());
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
