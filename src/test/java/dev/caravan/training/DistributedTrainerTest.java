package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.data.MnistData;
import dev.caravan.data.MnistSplit;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.MnistUploads;
import dev.caravan.testutil.TestS3;
import dev.caravan.testutil.TrainerCluster;

/**
 * Parameter-server training for real: chief + 2 workers + 1 ps, each the built-in trainer in its own JVM with the
 * TF_CONFIG the training operator injects, on 2000 training digits in an embedded S3.
 */
class DistributedTrainerTest {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/small/");
    private static final List<String> GRADIENT_TASKS = List.of("chief", "worker-0", "worker-1");
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
        TrainerCluster.Logs logs = train("sync", STEPS, BATCH, true, 2, 1);

        assertThat(globalStep(logs)).isEqualTo(STEPS);
        for (String replica : GRADIENT_TASKS) {
            assertThat(stepsRan(logs, replica)).as(replica).isEqualTo(STEPS);
        }
        assertSameWeights(logs);
        assertOneExportAndEventsPerTask("sync");
        // Each step averaged 3 batches: the same examples as one process with batches 3 times as large.
        train("sync-single", STEPS, 3 * BATCH, true, 0, 0);
        assertThat(testAccuracy("sync")).isCloseTo(testAccuracy("sync-single"), within(0.02));
    }

    @Test
    void asynchronousTrainingCountsEveryTasksStepsInTheGlobalStep() throws Exception {
        TrainerCluster.Logs logs = train("async", STEPS, BATCH, false, 2, 1);

        long global = globalStep(logs);
        assertThat(global).isEqualTo(GRADIENT_TASKS.stream().mapToLong(replica -> stepsRan(logs, replica)).sum())
                .isBetween((long) STEPS, STEPS + 2L);
        assertSameWeights(logs);
        assertOneExportAndEventsPerTask("async");
        // Stale gradients (computed on weights others have moved since) cost asynchronous training some accuracy
        // this early on: measured 0.852 against 0.886 for one process on the same examples.
        train("async-single", (int) global, BATCH, true, 0, 0);
        assertThat(testAccuracy("async")).isCloseTo(testAccuracy("async-single"), within(0.05));
    }

    private static TrainerCluster.Logs train(String run, int steps, int batch, boolean sync, int workers, int ps)
            throws Exception {
        Map<String, String> env = new HashMap<>(s3.server().settings().toEnvironment());
        env.putAll(Map.of("CARAVAN_TRAINER", "mnist-mlp", "TF_DATA_DIR", DATA.uri(),
                "TF_MODEL_DIR", "s3://tfmnist/training/" + run + "/", "TF_EXPORT_DIR", "s3://tfmnist/models/" + run + "/1/",
                "TF_TRAIN_STEPS", Integer.toString(steps), "TF_BATCH_SIZE", Integer.toString(batch),
                "TF_SYNC_REPLICAS", sync ? "1" : "0"));
        return TrainerCluster.train(env, workers, ps, Files.createDirectories(dir.resolve(run)), 5);
    }

    private static long globalStep(TrainerCluster.Logs logs) {
        return Long.parseLong(logs.find("chief", "chief global step (\\d+)"));
    }

    private static long stepsRan(TrainerCluster.Logs logs, String replica) {
        return Long.parseLong(logs.find(replica, replica + " ran (\\d+) steps"));
    }

    private static void assertSameWeights(TrainerCluster.Logs logs) {
        List<String> checksums = new ArrayList<>();
        for (String replica : GRADIENT_TASKS) {
            checksums.add(logs.find(replica, replica + " global step \\d+, weights checksum (\\w+)"));
        }
        assertThat(checksums).as("weights checksums").containsOnly(checksums.get(0));
    }

    private static void assertOneExportAndEventsPerTask(String run) throws IOException {
        List<String> model = keysBelow(S3Location.parse("s3://tfmnist/training/" + run + "/"));
        assertThat(model).contains("checkpoint", "metrics.json", "model.ckpt-" + STEPS + ".index");
        for (String replica : GRADIENT_TASKS) {
            assertThat(model.stream().filter(key -> key.startsWith(replica + "/events.out.tfevents."))).as(replica)
                    .hasSize(1);
        }
        assertThat(model).noneMatch(key -> key.startsWith("events.out") || key.startsWith("ps-"));
        List<String> models = keysBelow(S3Location.parse("s3://tfmnist/models/" + run + "/"));
        assertThat(models).filteredOn(key -> key.endsWith("saved_model.pb")).containsExactly("1/saved_model.pb");
        assertThat(testAccuracy(run)).isGreaterThan(0.8);
    }

    /** The test accuracy the chief (or the single process) of {@code run} left in its metrics.json. */
    private static double testAccuracy(String run) throws IOException {
        return new ObjectMapper().readTree(s3.store().read(
                S3Location.parse("s3://tfmnist/training/" + run + "/metrics.json"))).path("metrics").get(0)
                .path("numberValue").asDouble();
    }

    private static List<String> keysBelow(S3Location prefix) {
        return s3.store().list(prefix).stream().map(o -> o.key().substring(prefix.key().length())).toList();
    }
}
