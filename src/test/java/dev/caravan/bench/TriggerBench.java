package dev.caravan.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.util.FileSystemUtils;

import dev.caravan.CaravanApplication;
import dev.caravan.pipeline.RunEvent;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/**
 * Marker -> run start with 1 pipeline and with N (default 10), each pipeline watching a prefix of its own, so the
 * cost of more pipelines on the trigger is seen beside the single-pipeline figure in one run. Each round drops a
 * new object and the marker under one pipeline's prefix (round-robin) and times the upload's end to the job's
 * start. Also prints the S3 LIST requests per hour the polling costs. Prints figures; asserts nothing.
 */
public final class TriggerBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TriggerBench() {
    }

    public static void main(String[] args) throws Exception {
        int pipelines = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<Double> one = measure(1, rounds, Notice.POLLING);
        List<Double> many = measure(pipelines, rounds, Notice.POLLING);
        List<Double> notified = measure(1, rounds, Notice.WEBHOOK);
        List<Double> embedded = measure(1, rounds, Notice.EMBEDDED);
        out("Caravan trigger benchmark (%d cores, %d rounds each, poll interval 500 ms)",
                Runtime.getRuntime().availableProcessors(), rounds);
        out("  %-14s %8s %8s %8s", "pipelines", "median", "p90", "max");
        out("  %-14d %6.0f ms %6.0f ms %6.0f ms", 1, Percentiles.of(one, 50), Percentiles.of(one, 90), Percentiles.of(one, 100));
        out("  %-14d %6.0f ms %6.0f ms %6.0f ms", pipelines, Percentiles.of(many, 50), Percentiles.of(many, 90),
                Percentiles.of(many, 100));
        out("  ratio %d/1 (median)  %.2f   (target: unchanged, <= 1.25)", pipelines,
                Percentiles.of(many, 50) / Percentiles.of(one, 50));
        out("  S3 event notification (POST /api/s3-events, polling every 60 s): median %.0f ms, p90 %.0f ms, max %.0f ms"
                + "   (target: <= 200 ms; ratio to the target %.2f)", Percentiles.of(notified, 50),
                Percentiles.of(notified, 90), Percentiles.of(notified, 100), Percentiles.of(notified, 50) / 200);
        out("  the embedded S3 server's own notification (the default, polling every 60 s): median %.0f ms, p90 %.0f ms,"
                + " max %.0f ms   (target: <= 200 ms; ratio to the target %.2f)", Percentiles.of(embedded, 50),
                Percentiles.of(embedded, 90), Percentiles.of(embedded, 100), Percentiles.of(embedded, 50) / 200);
        out("  S3 LIST requests per hour at 500 ms polling: %d per pipeline, %d for %d pipelines",
                3600 * 2, 3600 * 2 * pipelines, pipelines);
    }

    /**
     * How the marker reaches Caravan: a poll every 500 ms; a webhook notification as MinIO sends it; or the embedded
     * server's own notification. The notified paths poll every 60 s, which none of the rounds waits for.
     */
    private enum Notice {
        POLLING, WEBHOOK, EMBEDDED
    }

    /** Marker PUT -> run start, in ms. */
    private static List<Double> measure(int pipelines, int rounds, Notice notice) throws Exception {
        Path home = Files.createTempDirectory("caravan-bench-");
        List<String> settings = new ArrayList<>(List.of("--caravan.home=" + home, "--logging.threshold.console=WARN",
                "--server.port=0", "--caravan.s3.embedded.port=0", "--caravan.serving.grpc-port=0",
                "--caravan.serving.rest-port=0", "--caravan.trigger.poll-interval=" + (notice == Notice.POLLING ? "500ms" : "60s"),
                "--caravan.trigger.embedded-events=" + (notice == Notice.EMBEDDED)));
        for (int i = 1; i < pipelines; i++) {
            String p = "--caravan.pipelines.p" + i + ".";
            settings.addAll(List.of(p + "model=p" + i, p + "source.bucket=tfmnist", p + "source.prefix=bench/p" + i + "/",
                    p + "trainer.builtin=mnist-cnn", p + "gate.min=0.9"));
        }
        List<Double> latencies = new ArrayList<>();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CaravanApplication.class)
                .run(settings.toArray(String[]::new))) {
            BlockingQueue<Long> started = new LinkedBlockingQueue<>();
            BlockingQueue<Long> finished = new LinkedBlockingQueue<>();
            context.addApplicationListener(event -> {
                if (event instanceof PayloadApplicationEvent<?> payload) {
                    if (payload.getPayload() instanceof RunEvent.RunStarted) {
                        started.add(System.nanoTime());
                    } else if (payload.getPayload() instanceof RunEvent.RunFinished) {
                        finished.add(System.nanoTime());
                    }
                }
            });
            ObjectStore store = context.getBean(ObjectStore.class);
            Thread.sleep(2000);
            for (int round = 0; round < rounds; round++) {
                int pipeline = round % pipelines;
                S3Location prefix = S3Location.parse(pipeline == 0 ? "s3://tfmnist/data/mnist/"
                        : "s3://tfmnist/bench/p" + pipeline + "/");
                // New data each round, so each marker is new work: a run that starts (and fails validation fast).
                store.put(prefix.resolve("round-" + round + ".txt"), new byte[] {(byte) round});
                long marker = System.nanoTime();
                store.put(prefix.resolve("_SUCCESS"), Long.toString(marker).getBytes());
                if (notice == Notice.WEBHOOK) {
                    notifyMarker(context, home, prefix.resolve("_SUCCESS"));
                }
                Long start = started.poll(30, TimeUnit.SECONDS);
                if (start == null) {
                    throw new IllegalStateException("no run started within 30 s of the marker in round " + round);
                }
                latencies.add((start - marker) / 1e6);
                if (finished.poll(2, TimeUnit.MINUTES) == null) {
                    throw new IllegalStateException("the run of round " + round + " did not end");
                }
            }
        } finally {
            FileSystemUtils.deleteRecursively(home);
        }
        return latencies;
    }

    private static void notifyMarker(ConfigurableApplicationContext context, Path home, S3Location marker)
            throws Exception {
        String body = "{\"Records\": [{\"eventName\": \"s3:ObjectCreated:Put\", \"s3\": {\"bucket\": {\"name\": \""
                + marker.bucket() + "\"}, \"object\": {\"key\": \"" + marker.key() + "\"}}}]}";
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + context.getEnvironment().getProperty("local.server.port") + "/api/s3-events"))
                .header("Authorization", "Bearer " + Files.readString(home.resolve("api-token")).trim())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 202) {
            throw new IllegalStateException("the notification was refused: " + answer.statusCode() + " " + answer.body());
        }
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
