package dev.caravan.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.serving.ServingBackend;
import dev.caravan.snapshot.SnapshotStore;
import dev.caravan.storage.FolderOwner;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;

/**
 * A new database beside a bucket that already holds versions 1..3 of the model, and an upload while a run trains: the
 * run numbers its version above S3's highest and leaves the old folders as they were; it validates, trains and
 * evaluates only the snapshot its trigger froze; the upload becomes exactly one follow-up run on its own snapshot.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SnapshotIsolationTest {

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
    private static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    private static Path home;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        home = CaravanTestProperties.register(registry);
    }

    @Autowired
    ObjectStore store;

    @Autowired
    RunStore runs;

    @Autowired
    RunQueries queries;

    @Autowired
    ModelRegistry registry;

    @Autowired
    ServingBackend serving;

    @Autowired
    SnapshotStore snapshots;

    @Autowired
    PipelineCatalog pipelines;

    private final S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
    private final S3Location models = S3Location.parse("s3://tfmnist/models/mnist/");

    @Test
    void anUploadDuringARunIsTrainedByOneFollowUpAndVersionsGoOnAboveTheHighestInS3() {
        // given: versions 1..3 left in the bucket by an earlier database, and MNIST uploaded with its marker
        store.createBucketIfMissing("tfmnist");
        for (int version = 1; version <= 3; version++) {
            store.put(models.resolve(version + "/saved_model.pb"), ("graph of version " + version).getBytes());
            FolderOwner.claim(store, models.resolve(version + "/"), "mnist-earlier000" + version);
        }
        Map<String, String> earlierVersions = objects(models);
        MnistUploads.uploadAll(store, data);
        MnistUploads.marker(store, data);

        // when: as the run starts training, the test labels are overwritten with wrong ones and the marker put again
        String first = await().atMost(RUN_TIMEOUT).until(() -> runs.list(1), list -> !list.isEmpty()).get(0).name();
        await().atMost(RUN_TIMEOUT).until(() -> queries.get(first).orElseThrow().steps().stream()
                .anyMatch(step -> step.name().equals("train")));
        byte[] wrongLabels = MnistUploads.gzip(shifted(gunzip(MnistUploads.read(TEST_LABELS))));
        store.put(data.resolve(TEST_LABELS), wrongLabels);
        MnistUploads.marker(store, data);

        // then: the first run trained and evaluated its own snapshot, as version 4, and serves
        List<Run> ended = await().atMost(RUN_TIMEOUT.multipliedBy(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> runs.list(10), list -> list.size() == 2 && list.stream().allMatch(r -> r.endedAt() != null));
        Run followUp = ended.get(0);
        Run run = ended.get(1);
        assertThat(run.name()).isEqualTo(first);
        assertThat(run.outcome()).as(run.message()).isEqualTo("PROMOTED");
        assertThat(run.modelVersion()).isEqualTo(4);
        ModelVersion four = registry.find("mnist", 4).orElseThrow();
        assertThat(four.accuracy()).as("accuracy on the frozen test labels").isGreaterThan(0.85);
        assertThat(four.snapshot()).isEqualTo(run.snapshot());
        assertThat(serving.servingVersion("mnist")).hasValue(4);
        S3Location frozen = snapshots.dataDir(pipelines.resolve("mnist"), run.snapshot());
        assertThat(trainerLog(first)).contains("data " + frozen + ",");
        assertThat(store.read(frozen.resolve(TEST_LABELS))).isEqualTo(MnistUploads.read(TEST_LABELS));

        // and: the upload is one follow-up on its own snapshot, which sees the wrong labels and is turned down
        assertThat(followUp.snapshot()).isNotEqualTo(run.snapshot());
        assertThat(followUp.outcome()).as(followUp.message()).isEqualTo("REJECTED");
        assertThat(followUp.modelVersion()).isEqualTo(5);
        ModelVersion five = registry.find("mnist", 5).orElseThrow();
        assertThat(five.snapshot()).isEqualTo(followUp.snapshot());
        assertThat(five.accuracy()).as("accuracy on the wrong test labels").isLessThan(0.5);
        S3Location next = snapshots.dataDir(pipelines.resolve("mnist"), followUp.snapshot());
        assertThat(store.read(next.resolve(TEST_LABELS))).isEqualTo(wrongLabels);
        assertThat(trainerLog(followUp.name())).contains("data " + next + ",");

        // and: the folders of versions 1..3 are as they were
        Map<String, String> after = objects(models);
        after.keySet().removeIf(key -> key.startsWith("models/mnist/4/") || key.startsWith("models/mnist/5/"));
        assertThat(after).isEqualTo(earlierVersions);
        assertThat(FolderOwner.of(store, models.resolve("4/"))).hasValue(first);
    }

    private Map<String, String> objects(S3Location prefix) {
        Map<String, String> objects = new TreeMap<>();
        store.list(prefix).forEach(o -> objects.put(o.key(), o.eTag()));
        return objects;
    }

    private static String trainerLog(String run) {
        try {
            return Files.readString(home.resolve("runs").resolve(run).resolve("trainer.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** IDX labels with every label one higher (9 becomes 0): all wrong, all valid. */
    private static byte[] shifted(byte[] idx) {
        byte[] labels = idx.clone();
        for (int i = 8; i < labels.length; i++) {
            labels[i] = (byte) ((labels[i] + 1) % 10);
        }
        return labels;
    }

    private static byte[] gunzip(byte[] gzipped) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
