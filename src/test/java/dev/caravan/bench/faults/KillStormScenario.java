package dev.caravan.bench.faults;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.Caravan;
import dev.caravan.bench.S3Server;
import dev.caravan.database.Database;
import dev.caravan.snapshot.SnapshotStore;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;
import dev.caravan.testutil.MnistUploads;

/**
 * Kill -9 storm: objects dropped in bursts, each closed by a marker, while Caravan is killed with SIGKILL at random
 * points and started again on the same home. S3 runs in a process of its own, so uploads go on while Caravan is down.
 * Each burst waits until its upload is recorded as a run (a crash may delay that until the restart), so no marker
 * is overwritten unseen. At the end, every upload must have trained exactly once or be recorded as dropped (replaced
 * by a newer upload while it waited), no training may have started twice, no trainer process may be left, and
 * every version that ever served must have been smoke-tested.
 *
 * <p>Usage: {@code KillStormScenario [bursts] [objectsPerBurst] [kills] [seed]}, by default 10 x 100 objects and
 * 3 kills.
 */
public final class KillStormScenario {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/mnist/");
    private static final Duration RECORDED_WITHIN = Duration.ofMinutes(6);

    private final Path home;
    private final S3Server s3;
    private final int httpPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process caravan;

    private KillStormScenario(Path home, S3Server s3, int httpPort) {
        this.home = home;
        this.s3 = s3;
        this.httpPort = httpPort;
    }

    public static void main(String[] args) throws Exception {
        int bursts = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int objects = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int kills = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : System.nanoTime();
        Path home = Files.createTempDirectory("caravan-kill-storm");
        Figures figures = new Figures("kill -9 storm: " + bursts + " bursts x " + objects + " objects, " + kills
                + " kills, seed " + seed);
        try (S3Server s3 = S3Server.start(home.resolve("s3"))) {
            KillStormScenario scenario = new KillStormScenario(home, s3, freePort());
            try {
                scenario.storm(bursts, objects, kills, new Random(seed), figures);
            } finally {
                scenario.stopCaravan();
            }
        }
        figures.exit();
    }

    private void storm(int bursts, int objects, int kills, Random random, Figures figures) throws Exception {
        Set<Integer> killAfter = new TreeSet<>();
        while (killAfter.size() < Math.min(kills, bursts)) {
            killAfter.add(random.nextInt(bursts));
        }
        Map<Integer, String> snapshots = new LinkedHashMap<>();
        long started = System.nanoTime();
        try (ObjectStore store = ObjectStore.connect(new S3Settings(URI.create(s3.endpoint()), "us-east-1",
                S3Server.ACCESS_KEY, S3Server.SECRET_KEY, false))) {
            store.createBucketIfMissing("tfmnist");
            MnistUploads.uploadAll(store, DATA);
            startCaravan();
            int killed = 0;
            for (int burst = 0; burst < bursts; burst++) {
                for (int i = 0; i < objects; i++) {
                    store.put(DATA.resolve("burst-" + burst + "/object-" + i + ".txt"), ("burst " + burst + " object "
                            + i).getBytes());
                }
                snapshots.put(burst, new SnapshotStore(store, null, Database.H2, null).hash(DATA, "_SUCCESS").hash());
                MnistUploads.marker(store, DATA);
                if (killAfter.contains(burst)) {
                    // somewhere between the marker being seen, its run being recorded, training and promoting
                    Thread.sleep(random.nextInt(4000));
                    caravan.destroyForcibly().waitFor();
                    killed++;
                    startCaravan();
                }
                awaitRecorded(snapshots.get(burst));
                // uploads come at random gaps: some while a run trains, some once it is done
                Thread.sleep(random.nextInt(8000));
            }
            awaitSettled(snapshots.get(bursts - 1));
            report(figures, bursts, objects, killed, snapshots, started);
        }
    }

    private void report(Figures figures, int bursts, int objects, int killed, Map<Integer, String> snapshots,
                        long started) throws Exception {
        List<JsonNode> runs = list(get("/api/runs?limit=10000"));
        Map<String, List<JsonNode>> bySnapshot = new HashMap<>();
        runs.forEach(run -> bySnapshot.computeIfAbsent(run.path("snapshot").asText(), s -> new ArrayList<>()).add(run));
        int lost = 0;
        int uploadsTrained = 0;
        int dropped = 0;
        int duplicates = 0;
        for (String snapshot : snapshots.values()) {
            List<JsonNode> ofSnapshot = bySnapshot.getOrDefault(snapshot, List.of());
            long trained = ofSnapshot.stream().filter(KillStormScenario::trained).count();
            boolean skipped = ofSnapshot.stream().anyMatch(KillStormScenario::skipped);
            if (trained == 0 && !skipped) {
                lost++;
                Figures.out("  lost: snapshot %s: %s", snapshot, ofSnapshot);
            }
            dropped += trained == 0 && skipped ? 1 : 0;
            uploadsTrained += trained > 0 ? 1 : 0;
            duplicates += (int) Math.max(0, trained - 1);
        }
        String newest = snapshots.get(bursts - 1);
        long serving = servingVersion();
        boolean newestServes = runs.stream().anyMatch(run -> newest.equals(run.path("snapshot").asText())
                && "PROMOTED".equals(run.path("outcome").asText()) && run.path("modelVersion").asLong()
                == serving);
        int trainerRestarts = 0;
        for (JsonNode run : runs) {
            trainerRestarts += Math.max(0, trainerStarts(run.path("name").asText()) - 1);
        }
        int unsmoked = 0;
        for (JsonNode version : list(get("/api/models/mnist"))) {
            if (!version.path("promotedAt").isNull() && !smokeTested(version.path("runName").asText())) {
                unsmoked++;
                Figures.out("  served, never smoke-tested: version %s", version.path("version").asText());
            }
        }
        stopCaravan();
        Set<String> trainers = new TreeSet<>();
        runs.forEach(run -> trainers.add("-Dcaravan.training.run=" + run.path("name").asText() + " "));
        long orphans = ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(line -> trainers.stream().anyMatch(line::contains)).orElse(false)).count();
        figures.report("objects dropped", Long.toString((long) bursts * objects));
        figures.report("uploads (bursts with a marker)", Integer.toString(bursts));
        figures.report("Caravan killed with SIGKILL", Integer.toString(killed));
        figures.report("uploads trained", Integer.toString(uploadsTrained));
        figures.report("uploads skipped for a newer one (DROPPED or SUPERSEDED)", Integer.toString(dropped));
        figures.report("runs recorded", Integer.toString(runs.size()));
        figures.report("wall time", String.format("%.0f s", (System.nanoTime() - started) / 1e9));
        figures.atMost("lost uploads (neither trained nor recorded as dropped)", lost, 0);
        figures.atMost("uploads trained more than once", duplicates, 0);
        figures.atMost("trainings started twice for one run", trainerRestarts, 0);
        figures.atMost("orphaned trainer processes", orphans, 0);
        figures.atMost("versions served that were never smoke-tested", unsmoked, 0);
        figures.holds("the newest upload's model serves", newestServes);
    }

    /** A run that trained its snapshot to the end: promoted, or turned down by its gate. */
    private static boolean trained(JsonNode run) {
        return "COMPLETED".equals(run.path("status").asText())
                && Set.of("PROMOTED", "REJECTED").contains(run.path("outcome").asText());
    }

    /** A run recorded as not trained because a newer upload came first. */
    private static boolean skipped(JsonNode run) {
        return "DROPPED".equals(run.path("status").asText()) || "SUPERSEDED".equals(run.path("outcome").asText());
    }

    private long servingVersion() throws Exception {
        for (JsonNode model : list(get("/api/models"))) {
            if ("mnist".equals(model.path("name").asText())) {
                return model.path("servingVersion").asLong(-1);
            }
        }
        return -1;
    }

    /** Waits until the upload with this snapshot is a run in Caravan's database, whatever its status. */
    private void awaitRecorded(String snapshot) throws Exception {
        long deadline = System.nanoTime() + RECORDED_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (list(get("/api/runs?limit=10000")).stream()
                        .anyMatch(run -> snapshot.equals(run.path("snapshot").asText()))) {
                    return;
                }
            } catch (IOException down) {
                // Caravan is starting again
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the upload with snapshot " + snapshot + " was not recorded as a run within "
                + RECORDED_WITHIN.toMinutes() + " minutes; see " + home.resolve("logs"));
    }

    /** Waits until the last upload's run has ended and no run waits or goes. */
    private void awaitSettled(String last) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        while (System.nanoTime() < deadline) {
            List<JsonNode> runs = list(get("/api/runs?limit=10000"));
            boolean busy = runs.stream().anyMatch(run -> run.path("endedAt").isNull());
            boolean lastEnded = runs.stream().anyMatch(run -> last.equals(run.path("snapshot").asText())
                    && !run.path("endedAt").isNull());
            if (!busy && lastEnded) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("runs were still going or waiting after 20 minutes");
    }

    private boolean smokeTested(String run) throws Exception {
        for (JsonNode step : get("/api/runs/" + run).path("steps")) {
            if ("smokeTest".equals(step.path("name").asText())
                    && Set.of("COMPLETED", "FAILED").contains(step.path("status").asText())) {
                return true;
            }
        }
        return false;
    }

    private int trainerStarts(String run) throws IOException {
        Path log = home.resolve("caravan/runs").resolve(run).resolve("trainer.log");
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log)) {
            return (int) lines.filter(line -> line.startsWith("===") && line.contains("starting the trainer")).count();
        }
    }

    private void startCaravan() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                Caravan.class.getName(), "server", "--caravan.home=" + home.resolve("caravan"),
                "--server.port=" + httpPort, "--caravan.serving.grpc-port=0", "--caravan.serving.rest-port=0",
                "--caravan.s3.endpoint=" + s3.endpoint(), "--caravan.s3.access-key-id=" + S3Server.ACCESS_KEY,
                "--caravan.s3.secret-access-key=" + S3Server.SECRET_KEY, "--caravan.trigger.poll-interval=200ms",
                "--caravan.pipelines.mnist.trainer.parameters.trainSteps=30",
                "--caravan.pipelines.mnist.trainer.parameters.batchSize=50", "--caravan.pipelines.mnist.gate.min=0.5",
                "--caravan.training.jvm-options=-Xmx512m -XX:+UseSerialGC", "--logging.threshold.console=WARN");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("caravan.out").toFile()));
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        caravan = builder.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/actuator/health/readiness").path("status").asText().equals("UP")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!caravan.isAlive()) {
                throw new IllegalStateException("Caravan exited at start; see " + home.resolve("caravan.out"));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Caravan was not ready within 5 minutes; see " + home.resolve("caravan.out"));
    }

    private void stopCaravan() throws InterruptedException {
        if (caravan != null && caravan.isAlive()) {
            caravan.destroy();
            caravan.waitFor();
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> nodes = new ArrayList<>();
        array.forEach(nodes::add);
        return nodes;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
