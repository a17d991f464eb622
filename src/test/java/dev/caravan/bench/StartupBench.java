package dev.caravan.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.util.FileSystemUtils;

import dev.caravan.smoketest.PredictClient;
import dev.caravan.smoketest.PredictException;

/**
 * {@code ./caravan server} from process start to: the "Started Caravan" line, readiness UP, and a gRPC and a REST
 * predict answered by the restored model, on a copy of a home that has one version to restore (a home after
 * {@code ./caravan demo}). Several launchers ({@code name=folder}, each folder holding a built {@code caravan}) are
 * started in interleaved rounds, so a before/after comparison sees the same machine. Prints figures; asserts nothing.
 */
public final class StartupBench {

    private static final double TARGET_SECONDS = 6.0;
    private static final Duration GIVE_UP = Duration.ofMinutes(3);
    private static final String[] FIGURES = {"Started Caravan", "readiness UP", "gRPC predict", "REST predict"};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final byte[] restBody = restBody();

    private StartupBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        Path home = Path.of("target/bench-startup/home");
        Map<String, Path> launchers = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--home" -> home = Path.of(args[++i]);
                case "--launcher" -> {
                    String[] named = args[++i].split("=", 2);
                    launchers.put(named[0], Path.of(named[1]).toAbsolutePath().normalize());
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --rounds N, --home DIR, --launcher NAME=FOLDER (repeatable)");
            }
        }
        if (launchers.isEmpty()) {
            launchers.put("caravan", Path.of("").toAbsolutePath());
        }
        new StartupBench().run(rounds, home.toAbsolutePath(), launchers);
    }

    private void run(int rounds, Path home, Map<String, Path> launchers) throws Exception {
        prepareHome(home);
        warmUpClients();
        for (Map.Entry<String, Path> launcher : launchers.entrySet()) {
            prepareLauncher(launcher.getKey(), launcher.getValue());
        }
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        launchers.keySet().forEach(name -> samples.put(name, new ArrayList<>()));
        List<String> names = new ArrayList<>(launchers.keySet());
        out("Caravan start-up benchmark: %d rounds, %d cores, home with one version to restore (%s)",
                rounds, Runtime.getRuntime().availableProcessors(), home);
        for (int round = 1; round <= rounds; round++) {
            // Alternating the order evens out what a start-up leaves behind for the next one (page cache, JIT threads).
            List<String> order = new ArrayList<>(names);
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            for (String name : order) {
                double[] sample = startOnce(launchers.get(name), home, home.getParent().resolve(name + "-" + round + ".log"));
                samples.get(name).add(sample);
                out("  round %d %-10s started %6.2f s  ready %6.2f s  gRPC %6.2f s  REST %6.2f s  (load %.2f)",
                        round, name, sample[0], sample[1], sample[2], sample[3], sample[4]);
            }
        }
        report(samples);
    }

    /** One start on a fresh copy of the home: seconds to each figure, then the 1-minute load average before it. */
    private double[] startOnce(Path launcher, Path home, Path log) throws Exception {
        Path copy = Files.createTempDirectory("caravan-startup-");
        FileSystemUtils.copyRecursively(home, copy);
        int[] ports = {freePort(), freePort(), freePort(), freePort()};
        double load = loadAverage();
        ProcessBuilder builder = new ProcessBuilder(launcher.resolve("caravan").toString(), "server",
                "--caravan.home=" + copy, "--server.port=" + ports[0], "--caravan.s3.embedded.port=" + ports[1],
                "--caravan.serving.grpc-port=" + ports[2], "--caravan.serving.rest-port=" + ports[3])
                .directory(launcher.toFile()).redirectErrorStream(true);
        long start = System.nanoTime();
        Process process = builder.start();
        AtomicLong started = new AtomicLong(-1);
        Thread reader = followOutput(process, log, start, started);
        double[] sample = new double[5];
        try (PredictClient grpc = new PredictClient("127.0.0.1", ports[2], Duration.ofSeconds(2))) {
            long ready = -1;
            long grpcAnswered = -1;
            long restAnswered = -1;
            while (ready < 0 || grpcAnswered < 0 || restAnswered < 0 || started.get() < 0) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Caravan exited with " + process.exitValue() + " during start-up; see " + log);
                }
                if (System.nanoTime() - start > GIVE_UP.toNanos()) {
                    throw new IllegalStateException("Caravan was not ready and serving within " + GIVE_UP + "; see " + log);
                }
                ready = ready >= 0 ? ready : since(start, ready(ports[0]));
                grpcAnswered = grpcAnswered >= 0 ? grpcAnswered : since(start, grpcPredicts(grpc, ports[2]));
                restAnswered = restAnswered >= 0 ? restAnswered : since(start, restPredicts(ports[3]));
                Thread.sleep(20);
            }
            sample[0] = started.get() / 1e9;
            sample[1] = ready / 1e9;
            sample[2] = grpcAnswered / 1e9;
            sample[3] = restAnswered / 1e9;
            sample[4] = load;
        } finally {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            reader.join();
            FileSystemUtils.deleteRecursively(copy);
        }
        return sample;
    }

    private static long since(long start, boolean reached) {
        return reached ? System.nanoTime() - start : -1;
    }

    private boolean ready(int port) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"UP\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A predict answered by the model: the port must accept first, so no gRPC reconnect backoff delays the figure. */
    private static boolean grpcPredicts(PredictClient client, int port) {
        if (!accepts(port)) {
            return false;
        }
        try {
            client.predict("mnist", OptionalLong.empty(), new float[28 * 28]);
            return true;
        } catch (PredictException e) {
            return false;
        }
    }

    private boolean restPredicts(int port) {
        if (!accepts(port)) {
            return false;
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/v1/models/mnist:predict"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(restBody)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("predictions");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Copies the process's output to its log and notes when "Started Caravan" appears. */
    private static Thread followOutput(Process process, Path log, long start, AtomicLong started) {
        Thread thread = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter file = new PrintWriter(Files.newBufferedWriter(log))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (started.get() < 0 && line.contains("Started Caravan")) {
                        started.set(System.nanoTime() - start);
                    }
                    file.println(line);
                }
            } catch (IOException e) {
                // Once the process ends its output is closed under the reader: that is the end of it.
                if (!ended(process)) {
                    throw new UncheckedIOException("cannot keep the server's output in " + log, e);
                }
            }
        }, "server-output");
        thread.start();
        return thread;
    }

    private static boolean ended(Process process) {
        try {
            return process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A home after {@code ./caravan demo}: one promoted version, which a server restores at start. */
    private static void prepareHome(Path home) throws Exception {
        if (Files.isDirectory(home.resolve("serving"))) {
            return;
        }
        out("Preparing %s with ./caravan demo (once; delete it to prepare again) ...", home);
        Files.createDirectories(home.getParent());
        Process demo = new ProcessBuilder("./caravan", "demo", "--home", home.toString(), "--server.port=0",
                "--caravan.s3.embedded.port=0", "--caravan.serving.grpc-port=0", "--caravan.serving.rest-port=0")
                .redirectOutput(home.getParent().resolve("demo.log").toFile()).redirectErrorStream(true).start();
        if (demo.waitFor() != 0) {
            throw new IllegalStateException("./caravan demo failed; see " + home.getParent().resolve("demo.log"));
        }
    }

    /**
     * Runs {@code caravan server --help} once, unmeasured: the launcher builds what is missing and makes its class
     * archive (once per build) then, so the measured starts are those of a user's every day.
     */
    private static void prepareLauncher(String name, Path launcher) throws Exception {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(launcher.resolve("caravan").toString(), "server", "--help")
                .directory(launcher.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(launcher.resolve("caravan") + " server --help failed");
        }
        out("  %-10s prepared in %.1f s (its first start after a build also makes the class archive, if it has one)",
                name, (System.nanoTime() - start) / 1e9);
    }

    /** Loads the bench's own client classes before the first measured start, so they do not compete with it. */
    private void warmUpClients() throws IOException {
        int closed = freePort();
        try (PredictClient client = new PredictClient("127.0.0.1", closed, Duration.ofMillis(200))) {
            client.predict("mnist", OptionalLong.empty(), new float[28 * 28]);
        } catch (PredictException expected) {
            // Nothing listens there.
        }
        ready(closed);
        restPredicts(closed);
    }

    private static void report(Map<String, List<double[]>> samples) {
        out("");
        out("%-10s %-16s %8s %8s %8s %8s  %s", "launcher", "figure", "median", "min", "max", "target", "median/target");
        samples.forEach((name, list) -> {
            for (int f = 0; f < FIGURES.length; f++) {
                int figure = f;
                double[] values = list.stream().mapToDouble(s -> s[figure]).sorted().toArray();
                double median = values.length % 2 == 1 ? values[values.length / 2]
                        : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
                out("%-10s %-16s %7.2fs %7.2fs %7.2fs %7.1fs  %.2f", name, FIGURES[f], median, values[0],
                        values[values.length - 1], TARGET_SECONDS, median / TARGET_SECONDS);
            }
            double[] loads = list.stream().mapToDouble(s -> s[4]).sorted().toArray();
            out("%-10s load average before each start: %.2f to %.2f", name, loads[0], loads[loads.length - 1]);
        });
    }

    private static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static byte[] restBody() {
        String row = "[" + String.join(",", Collections.nCopies(28, "0")) + "]";
        String image = "[" + String.join(",", Collections.nCopies(28, row)) + "]";
        return ("{\"instances\": [" + image + "]}").getBytes(StandardCharsets.UTF_8);
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
