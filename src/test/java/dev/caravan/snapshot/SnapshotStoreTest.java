package dev.caravan.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.caravan.database.Database;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.Pipelines;
import dev.caravan.testutil.TestDatabases;
import dev.caravan.testutil.TestS3;

/** Freezing copies the data inside S3, and the copy, not the prefix, is what a run reads. */
class SnapshotStoreTest {

    @TempDir
    static Path dir;

    static TestS3 s3;
    static ObjectStore store;

    private final S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
    private final PipelineDefinition mnist = Pipelines.catalog(Pipelines.mnist()).resolve("mnist");
    private JdbcTemplate jdbc;
    private SnapshotStore snapshots;

    @BeforeAll
    static void start() {
        s3 = TestS3.start(dir, "tfmnist");
        store = s3.store();
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @BeforeEach
    void emptyBucketAndDatabase() {
        store.deleteAll(S3Location.parse("s3://tfmnist/"));
        DriverManagerDataSource dataSource = new DriverManagerDataSource(
                "jdbc:h2:mem:snapshots-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
        TestDatabases.migrated(dataSource);
        jdbc = new JdbcTemplate(dataSource);
        snapshots = new SnapshotStore(store, jdbc, Database.H2, new SnapshotSettings("snapshots/", 2));
    }

    @Test
    void aFrozenSnapshotKeepsTheDataAsItWasWhateverIsUploadedAfter() {
        // given
        put("train-labels", "60000 labels");
        put("t10k-labels", "10000 labels");
        put("_SUCCESS", "marker");

        // when: frozen, then the test labels are overwritten and an object is added
        Snapshot frozen = snapshots.freeze(mnist);
        put("t10k-labels", "labels overwritten");
        put("t10k-images", "images added");

        // then: the copy holds the data as frozen, without the marker, and is intact
        S3Location copy = snapshots.dataDir(mnist, frozen.hash());
        assertThat(copy.uri()).isEqualTo("s3://tfmnist/snapshots/mnist/" + frozen.hash() + "/");
        assertThat(contents(copy)).containsOnlyKeys("train-labels", "t10k-labels", "_SNAPSHOT")
                .containsEntry("train-labels", "60000 labels").containsEntry("t10k-labels", "10000 labels");
        assertThat(frozen.objectCount()).isEqualTo(2);
        snapshots.requireIntact(copy);
        assertThat(snapshots.find(frozen.hash())).hasValue(frozen);

        // and: freezing again is a new snapshot of the new data
        Snapshot next = snapshots.freeze(mnist);
        assertThat(next.hash()).isNotEqualTo(frozen.hash());
        assertThat(contents(snapshots.dataDir(mnist, next.hash()))).containsEntry("t10k-labels", "labels overwritten")
                .containsEntry("t10k-images", "images added");
    }

    @Test
    void dataFrozenBeforeIsNotCopiedAgain() {
        put("train-labels", "60000 labels");
        Snapshot first = snapshots.freeze(mnist);
        S3Location copy = snapshots.dataDir(mnist, first.hash()).resolve("train-labels");
        var copiedAt = store.list(copy).get(0).lastModified();

        Snapshot again = snapshots.freeze(mnist);

        assertThat(again.hash()).isEqualTo(first.hash());
        assertThat(store.list(copy).get(0).lastModified()).isEqualTo(copiedAt);
    }

    @Test
    void aSnapshotChangedAfterItWasFrozenIsRefusedNamingWhatChanged() {
        put("train-labels", "60000 labels");
        S3Location copy = snapshots.dataDir(mnist, snapshots.freeze(mnist).hash());
        store.put(copy.resolve("train-labels"), bytes("other labels, other size"));

        assertThatThrownBy(() -> snapshots.requireIntact(copy)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the data snapshot " + copy + " is not as it was frozen: [train-labels] changed");

        store.deleteAll(copy, SnapshotStore.MANIFEST);
        assertThatThrownBy(() -> snapshots.requireIntact(copy)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is gone or incomplete (it has no _SNAPSHOT): the retention rule deleted it");
    }

    @Test
    void aCopyThatIsGoneIsFrozenAgainWhileTheDataIsUnchangedAndRefusedOnceItChanged() {
        // given: a snapshot whose copy is gone (deleted by retention, or a run triggered before copies were made)
        put("train-labels", "60000 labels");
        String hash = snapshots.freeze(mnist).hash();
        S3Location copy = snapshots.dataDir(mnist, hash);
        store.deleteAll(copy, SnapshotStore.MANIFEST);

        // when / then: the data is still that snapshot, so the copy is made again
        assertThat(snapshots.frozenCopy(mnist, hash)).isEqualTo(copy);
        snapshots.requireIntact(copy);

        // and: once the data has changed, a lost copy cannot be made again, and the run is told what to do
        store.deleteAll(copy, SnapshotStore.MANIFEST);
        put("train-labels", "other labels");
        assertThatThrownBy(() -> snapshots.frozenCopy(mnist, hash)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is gone").hasMessageContaining("upload the data and its marker again");
    }

    @Test
    void retentionDeletesTheOldCopiesNoVersionOrRunStillNeeds() {
        // given: four uploads; a candidate version was trained on the first
        String[] hashes = new String[4];
        for (int i = 0; i < 4; i++) {
            put("notes", "upload " + i);
            hashes[i] = snapshots.freeze(mnist).hash();
            if (i == 0) {
                jdbc.update("INSERT INTO caravan_model_version (model, version, run_name, snapshot, export_uri, state,"
                        + " created_at) VALUES ('mnist', 1, 'mnist-aaaaaaaaaa', ?, 's3://tfmnist/models/mnist/1/',"
                        + " 'CANDIDATE', CURRENT_TIMESTAMP)", hashes[0]);
            }
        }

        // then: with the newest two kept, only the second upload's copy is gone; its record stays for lineage
        assertThat(store.folders(S3Location.parse("s3://tfmnist/snapshots/mnist/"))).extracting(S3Location::uri)
                .containsExactlyInAnyOrder(snapshots.dataDir(mnist, hashes[0]).uri(),
                        snapshots.dataDir(mnist, hashes[2]).uri(), snapshots.dataDir(mnist, hashes[3]).uri());
        assertThat(snapshots.find(hashes[1])).isPresent();
    }

    @Test
    void snapshotsUnderTheWatchedPrefixAreRefused() {
        SnapshotStore underData = new SnapshotStore(store, jdbc, Database.H2, new SnapshotSettings("data/", 2));

        assertThatThrownBy(() -> underData.freeze(mnist)).isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot freeze the data of pipeline mnist: its snapshots would go to"
                        + " s3://tfmnist/data/mnist/, which overlaps its source s3://tfmnist/data/mnist/; set"
                        + " caravan.snapshots.prefix outside the pipeline's source.prefix, e.g. snapshots/");
    }

    private void put(String name, String content) {
        store.put(data.resolve(name), bytes(content));
    }

    private static Map<String, String> contents(S3Location prefix) {
        Map<String, String> contents = new TreeMap<>();
        store.list(prefix).forEach(o -> contents.put(o.key().substring(prefix.key().length()),
                new String(store.read(new S3Location(prefix.bucket(), o.key())), StandardCharsets.UTF_8)));
        return contents;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
