package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.caravan.serving.testutil.TestModels;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.FolderOwner;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serving exports from S3: copied once into the cache in TensorFlow Serving's layout, never half-copied. */
class ExportCacheTest {

    @TempDir
    static Path work;
    static EmbeddedS3 s3;
    static ObjectStore store;
    static Path modelDir;

    @BeforeAll
    static void start() {
        s3 = EmbeddedS3.start(work.resolve("s3"), "127.0.0.1", 0, "key", "secret");
        store = ObjectStore.connect(s3.settings());
        store.createBucketIfMissing("models");
        modelDir = TestModels.exportMnist(work.resolve("export"));
    }

    @AfterAll
    static void stop() {
        store.close();
        s3.close();
    }

    @Test
    void servesAnExportFromS3AndKeepsItsCopy() {
        S3Location export = S3Location.parse("s3://models/mnist/exports/7");
        store.uploadDirectory(modelDir, export, "saved_model.pb");
        Path cache = work.resolve("cache-a");

        try (LocalServingBackend backend = new LocalServingBackend(store, cache, ModelServerSettings.anyFreePorts())) {
            backend.serve("mnist", 7, export);

            assertThat(backend.servingVersion("mnist")).hasValue(7);
            assertThat(cache.resolve("mnist/7/saved_model.pb")).isRegularFile();
            assertThat(cache.resolve("mnist/7/variables")).isDirectory();
        }

        // the copy is complete, so a new server takes it without downloading (this location holds nothing)
        try (LocalServingBackend backend = new LocalServingBackend(store, cache, ModelServerSettings.anyFreePorts())) {
            backend.serve("mnist", 7, S3Location.parse("s3://models/mnist/exports/gone"));
            assertThat(backend.servingVersion("mnist")).hasValue(7);
        }
    }

    @Test
    void aCorruptExportLeavesNoCopyAndTheServedVersionServing() throws Exception {
        S3Location good = S3Location.parse("s3://models/mnist/exports/1");
        store.uploadDirectory(modelDir, good, "saved_model.pb");
        S3Location corrupt = S3Location.parse("s3://models/mnist/exports/2");
        store.put(corrupt.resolve("saved_model.pb"), "truncated".getBytes());
        Path cache = work.resolve("cache-b");

        try (LocalServingBackend backend = new LocalServingBackend(store, cache, ModelServerSettings.anyFreePorts())) {
            backend.serve("mnist", 1, good);

            assertThatThrownBy(() -> backend.serve("mnist", 2, corrupt))
                    .isInstanceOf(ServingException.class)
                    .hasMessageContaining("cannot load version 2 of model mnist");
            assertThat(backend.servingVersion("mnist")).hasValue(1);
            assertThat(cache.resolve("mnist/2")).doesNotExist();
        }
        try (var files = Files.list(cache.resolve("mnist"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("1");
        }
    }

    @Test
    void aCopyOfAnotherRunsVersionOfTheSameNumberIsDownloadedAgain() throws Exception {
        // given: version 4 served from a folder run A owned, then the bucket emptied and version 4 made by run B
        S3Location export = S3Location.parse("s3://models/mnist/4/");
        store.uploadDirectory(modelDir, export, "saved_model.pb");
        FolderOwner.claim(store, export, "mnist-aaaaaaaaaa");
        Path cache = work.resolve("cache-d");
        try (LocalServingBackend backend = new LocalServingBackend(store, cache, ModelServerSettings.anyFreePorts())) {
            backend.serve("mnist", 4, export);
        }
        store.deleteAll(export);
        store.uploadDirectory(modelDir, export, "saved_model.pb");
        FolderOwner.claim(store, export, "mnist-bbbbbbbbbb");

        // when
        try (LocalServingBackend backend = new LocalServingBackend(store, cache, ModelServerSettings.anyFreePorts())) {
            backend.serve("mnist", 4, export);

            // then: what serves is run B's export, not the copy of run A's
            assertThat(backend.servingVersion("mnist")).hasValue(4);
            assertThat(Files.readString(cache.resolve("mnist/4").resolve(FolderOwner.KEY)).trim())
                    .isEqualTo("mnist-bbbbbbbbbb");
        }
    }

    @Test
    void aMissingExportSaysWhereItLooked() {
        try (LocalServingBackend backend = new LocalServingBackend(store, work.resolve("cache-c"),
                ModelServerSettings.anyFreePorts())) {
            assertThatThrownBy(() -> backend.serve("mnist", 3, S3Location.parse("s3://models/nothing/here")))
                    .isInstanceOf(ServingException.class)
                    .hasMessageContaining("s3://models/nothing/here holds no saved_model.pb");
        }
    }
}
