package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.data.MnistData;
import dev.caravan.data.MnistSplit;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.MnistUploads;
import dev.caravan.testutil.TestS3;

/**
 * Parameter-server training for real: chief + 2 workers + 1 ps, each the built-in trainer in its own JVM with the
 * TF_CONFIG the training operator injects, on 2000 training digits in an embedded S3.
 */
class DistributedTrainerTest {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/small/");
    private static final int STEPS = 150;
    private static final int BATCH = 50;

    @TempDir
    static Path dir;
    private static TestS3 s3;

    @BeforeAll
    static void data() {
        s3 = TestS3.start(dir.resolve("s3"), "tfmnist");
        MnistTrainerTest.upload(s3.store(), DATA, MnistData.loadLocal(MnistUploads.DATA, MnistSplit.TRAIN).first(2000));
        MnistTrainerTest.upload(s3.store(), DATA, MnistData.loadLocal(MnistUploads.DATA, MnistSplit.TEST).first(500));
    }

    @Test
    void synchronousTrainingAveragesOneGradientPerTaskAndExportsOnce() throws Exception {
        Map<String, String> logs = trainCluster("sync", "1");

        long global = number(logs.get("chief"), "chief global step (\\d+)");
        assertThat(global).isEqualTo(STEPS);
        for (String replica : List.of("chief", "worker-0", "worker-1")) {
            assertThat(number(logs.get(replica), replica + " ran (\\d+) steps")).as(replica).isEqualTo(STEPS);
        }
        assertSameWeights(logs);
        assertOneExportAndEventsPerTask("sync");
        // Each step averaged 3 batches: the same examples as one process with batches 3 times as large.
        assertThat(testAccuracy("sync")).isCloseTo(singleProcessAccuracy("sync-single", STEPS, 3 * BATCH), within(0.02));
    }

    @Test
    void asynchronousTrainingCountsEveryTasksStepsInTheGlobalStep() throws Exception {
        Map<String, String> logs = trainCluster("async", "0");

        long global = number(logs.get("chief"), "chief global step (\\d+)");
        long sum = 0;
        for (String replica : List.of("chief", "worker-0", "worker-1")) {
            sum += number(logs.get(replica), replica + " ran (\\d+) steps");
        }
        assertThat(global).isEqualTo(sum).isBetween((long) STEPS, STEPS + 2L);
        assertSameWeights(logs);
        assertOneExportAndEventsPerTask("async");
        // Stale gradients (computed on weights others have moved since) cost asynchronous training some accuracy
        // this early on: measured 0.852 against 0.886 for one process on the same examples.
        assertThat(testAccuracy("async")).isCloseTo(singleProcessAccuracy("async-single", (int) global, BATCH),
                within(0.05));
    }

    private static void assertSameWeights(Map<String, String> logs) {
        List<String> checksums = new ArrayList<>();
        for (String replica : List.of("chief", "worker-0", "worker-1")) {
            checksums.add(text(logs.get(replica), replica + " global step \\d+, weights checksum (\\w+)"));
        }
        assertThat(checksums).as("weights checksums").containsOnly(checksums.get(0));
    }

    private static void assertOneExportAndEventsPerTask(String run) throws IOException {
        List<String> model = keysBelow(S3Location.parse("s3://tfmnist/training/" + run + "/"));
        assertThat(model).contains("checkpoint", "metrics.json", "model.ckpt-" + STEPS + ".index");
        for (String replica : List.of("chief", "worker-0", "worker-1")) {
            assertThat(model.stream().filter(key -> key.startsWith(replica + "/events.out.tfevents."))).as(replica)
                    .hasSize(1);
        }
        assertThat(model).noneMatch(key -> key.startsWith("events.out") || key.startsWith("ps-"));
        List<String> models = keysBelow(S3Location.parse("s3://tfmnist/models/" + run + "/"));
        assertThat(models).filteredOn(key -> key.endsWith("saved_model.pb")).containsExactly("1/saved_model.pb");
        assertThat(testAccuracy(run)).isGreaterThan(0.8);
    }

    /** The test accuracy the chief (or a single process) of {@code run} left in its metrics.json. */
    private static double testAccuracy(String run) throws IOException {
        return new ObjectMapper().readTree(s3.store().read(
                S3Location.parse("s3://tfmnist/training/" + run + "/metrics.json"))).path("metrics").get(0)
                .path("numberValue").asDouble();
    }

    /** Trains one process, in this JVM, on {@code steps} batches of {@code batch}: its test accuracy. */
    private static double singleProcessAccuracy(String run, int steps, int batch) throws IOException {
        Map<String, String> env = environment(run, "1", null);
        env.put("TF_TRAIN_STEPS", Integer.toString(steps));
        env.put("TF_BATCH_SIZE", Integer.toString(batch));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(MnistTrainer.run(env, print, print)).as(out.toString(StandardCharsets.UTF_8)).isZero();
        return testAccuracy(run);
    }

    /** Starts chief, worker-0, worker-1 and ps-0 and waits for all; their logs by replica. */
    private static Map<String, String> trainCluster(String run, String sync) throws Exception {
        Map<String, List<String>> cluster = new LinkedHashMap<>();
        cluster.put("chief", List.of(address()));
        cluster.put("worker", List.of(address(), address()));
        cluster.put("ps", List.of(address()));
        Map<String, Process> processes = new LinkedHashMap<>();
        Map<String, Path> logs = new LinkedHashMap<>();
        cluster.forEach((type, addresses) -> {
            for (int i = 0; i < addresses.size(); i++) {
                String replica = TfConfig.replicaName(type, i);
                Path log = dir.resolve(run + "-" + replica + ".log");
                logs.put(replica, log);
                processes.put(replica, start(run, sync, tfConfig(cluster, type, i), log));
            }
        });
        Map<String, String> output = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Process> replica : processes.entrySet()) {
                boolean exited = replica.getValue().waitFor(5, TimeUnit.MINUTES);
                output.put(replica.getKey(), Files.readString(logs.get(replica.getKey())));
                assertThat(exited && replica.getValue().exitValue() == 0).as(replica.getKey() + " exits 0:\n"
                        + output.get(replica.getKey())).isTrue();
            }
        } finally {
            processes.values().forEach(Process::destroyForcibly);
        }
        return output;
    }

    private static Map<String, String> environment(String run, String sync, String tfConfig) {
        Map<String, String> env = new HashMap<>(s3.server().settings().toEnvironment());
        env.putAll(Map.of("CARAVAN_TRAINER", "mnist-mlp", "TF_DATA_DIR", DATA.uri(),
                "TF_MODEL_DIR", "s3://tfmnist/training/" + run + "/", "TF_EXPORT_DIR", "s3://tfmnist/models/" + run + "/1/",
                "TF_TRAIN_STEPS", Integer.toString(STEPS), "TF_BATCH_SIZE", Integer.toString(BATCH),
                "TF_SYNC_REPLICAS", sync, "TF_CPP_MIN_LOG_LEVEL", "2"));
        if (tfConfig != null) {
            env.put("TF_CONFIG", tfConfig);
        }
        return env;
    }

    private static Process start(String run, String sync, String tfConfig, Path log) {
        Map<String, String> env = environment(run, sync, tfConfig);
        ProcessBuilder builder = new ProcessBuilder(LocalTrainingBackend.currentJava(), MnistTrainer.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String tfConfig(Map<String, List<String>> cluster, String type, int index) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("cluster", cluster);
        config.put("task", Map.of("type", type, "index", index));
        config.put("environment", "cloud");
        try {
            return new ObjectMapper().writeValueAsString(config);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String address() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long number(String log, String regex) {
        return Long.parseLong(text(log, regex));
    }

    private static String text(String log, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(log);
        assertThat(matcher.find()).as("'" + regex + "' in:\n" + log).isTrue();
        return matcher.group(1);
    }

    private static List<String> keysBelow(S3Location prefix) {
        return s3.store().list(prefix).stream().map(o -> o.key().substring(prefix.key().length())).toList();
    }
}
