package dev.caravan.registry;

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

import dev.caravan.registry.VersionFolders.VersionFolderTakenException;
import dev.caravan.storage.FolderOwner;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.TestDatabases;
import dev.caravan.testutil.TestS3;

/**
 * A wiped database beside a bucket that holds versions 1..3 of a model: the next version is 4, the folders of 1..3
 * stay as they were, and no run writes into, or takes the export of, a folder that is not its own.
 */
class VersionFoldersTest {

    private static final S3Location BASE = S3Location.parse("s3://tfmnist/models/mnist/");

    @TempDir
    static Path dir;

    static TestS3 s3;
    static ObjectStore store;

    private VersionFolders versions;
    private Map<String, String> before;

    @BeforeAll
    static void start() {
        s3 = TestS3.start(dir, "tfmnist");
        store = s3.store();
        for (int version = 1; version <= 3; version++) {
            S3Location folder = BASE.resolve(version + "/");
            store.put(folder.resolve("variables/variables.index"), bytes("weights of version " + version));
            store.put(folder.resolve("saved_model.pb"), bytes("graph of version " + version));
            if (version > 1) {
                // version 1 is older than folders naming their run
                FolderOwner.claim(store, folder, "mnist-earlier000" + version);
            }
        }
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @BeforeEach
    void emptyDatabase() {
        DriverManagerDataSource dataSource = new DriverManagerDataSource(
                "jdbc:h2:mem:versions-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
        TestDatabases.migrated(dataSource);
        versions = new VersionFolders(new ModelRegistry(new JdbcTemplate(dataSource)), store);
        before = objects(BASE);
    }

    @Test
    void aWipedDatabaseNumbersTheNextVersionAboveTheHighestFolderInS3() {
        // when
        ModelVersion next = versions.reserve("mnist", "mnist-aaaaaaaaaa", "snapshot-a", BASE);

        // then: version 4, claimed for its run; versions 1..3 untouched
        assertThat(next.version()).isEqualTo(4);
        assertThat(next.export().uri()).isEqualTo("s3://tfmnist/models/mnist/4/");
        assertThat(FolderOwner.of(store, next.export())).hasValue("mnist-aaaaaaaaaa");
        Map<String, String> after = objects(BASE);
        after.keySet().removeIf(key -> key.startsWith("models/mnist/4/"));
        assertThat(after).isEqualTo(before);
    }

    @Test
    void aRestartedRunKeepsItsVersionAndItsFolder() {
        // given: a run of another model (the bucket's mnist folders are the other tests')
        S3Location fashion = S3Location.parse("s3://tfmnist/models/fashion/");
        ModelVersion first = versions.reserve("fashion", "fashion-bbbbbbbbbb", "snapshot-b", fashion);
        store.put(first.export().resolve("saved_model.pb"), bytes("its own export"));

        // when: it runs again after a restart
        ModelVersion again = versions.reserve("fashion", "fashion-bbbbbbbbbb", "snapshot-b", fashion);
        versions.claim(again.export(), "fashion-bbbbbbbbbb");
        versions.checkOwner(again.export(), "fashion-bbbbbbbbbb");

        // then

        assertThat(again.version()).isEqualTo(first.version());
    }

    @Test
    void aRunBegunBeforeFoldersNamedTheirRunKeepsTheFolderItsRegistryEntryReserved() {
        // given: a version reserved and exported before folders were claimed, so its folder names no run
        S3Location digits = S3Location.parse("s3://tfmnist/models/digits/");
        ModelVersion reserved = versions.reserve("digits", "digits-eeeeeeeeee", "snapshot-e", digits);
        store.delete(reserved.export().resolve(FolderOwner.KEY));
        store.put(reserved.export().resolve("saved_model.pb"), bytes("its export, from before the upgrade"));

        // when: the run resumes
        versions.claim(reserved.export(), "digits-eeeeeeeeee");

        // then: the folder is its own now, and still no other run's
        assertThat(FolderOwner.of(store, reserved.export())).hasValue("digits-eeeeeeeeee");
        assertThatThrownBy(() -> versions.claim(reserved.export(), "digits-ffffffffff"))
                .isInstanceOf(VersionFolderTakenException.class);
    }

    @Test
    void writingIntoAnExistingVersionFolderIsRefusedNamingTheFolder() {
        assertThatThrownBy(() -> versions.claim(BASE.resolve("3/"), "mnist-cccccccccc"))
                .isInstanceOf(VersionFolderTakenException.class)
                .hasMessageStartingWith("s3://tfmnist/models/mnist/3/ already holds a version (of run mnist-earlier0003);"
                        + " run mnist-cccccccccc neither writes into it nor takes its export.");
        assertThatThrownBy(() -> versions.claim(BASE.resolve("1/"), "mnist-cccccccccc"))
                .isInstanceOf(VersionFolderTakenException.class)
                .hasMessageStartingWith("s3://tfmnist/models/mnist/1/ already holds a version (written before versions"
                        + " named their run in _CARAVAN_RUN)");
        assertThat(objects(BASE)).isEqualTo(before);
    }

    @Test
    void anExportOfAnotherRunIsNeverTakenAsThisRunsOwn() {
        assertThatThrownBy(() -> versions.checkOwner(BASE.resolve("2/"), "mnist-dddddddddd"))
                .isInstanceOf(VersionFolderTakenException.class)
                .hasMessageContaining("s3://tfmnist/models/mnist/2/ already holds a version (of run mnist-earlier0002)");
        // a version older than the claims is its registry entry's own: a rollback may serve it
        versions.checkOwner(BASE.resolve("1/"), "mnist-dddddddddd");
    }

    /** Every object below {@code prefix}, by key, with its ETag. */
    private static Map<String, String> objects(S3Location prefix) {
        Map<String, String> objects = new TreeMap<>();
        store.list(prefix).forEach(o -> objects.put(o.key(), o.eTag()));
        return objects;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
