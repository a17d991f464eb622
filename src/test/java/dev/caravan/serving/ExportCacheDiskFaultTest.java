package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.caravan.serving.testutil.TestModels;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.DiskFaults;
import dev.caravan.testutil.LocalDisks;

/**
 * Promoting a version while Caravan's home is full or read-only: a clear error naming the path and what to do, no
 * half-written copy left to load, and the version before still answering. The home is a small tmpfs (needs root:
 * skipped where mount is refused); an immutable cache folder ({@code chattr +i}) and a crash's leftovers need less.
 */
class ExportCacheDiskFaultTest {

    @TempDir
    static Path work;

    private static LocalDisks.Mount home;
    private static DiskFaults faults;
    private static String refusal;

    @BeforeAll
    static void mountASmallHome() {
        LocalDisks.Result<LocalDisks.Mount> mounted = LocalDisks.tmpfs(work.resolve("home"), "16m");
        refusal = mounted.refusal();
        if (!mounted.refused()) {
            home = mounted.value();
            faults = DiskFaults.start(home, work.resolve("outside"));
        }
    }

    @AfterAll
    static void unmount() {
        if (faults != null) {
            faults.close();
        }
        if (home != null) {
            home.close();
        }
    }

    @Test
    void aFullHomeRefusesTheNewVersionBeforeCopyingAndTheOldOneKeepsServing() {
        assumeMounted();

        DiskFaults.Outcome outcome = faults.promoteOnFullDisk(2, 0);

        assertThat(outcome.error()).contains("cannot copy version 2 of model mnist")
                .contains("only 0 KB are free there").contains("free space (df -h " + home.dir().resolve("serving/mnist"))
                .contains("the version served before keeps serving");
        assertThat(outcome.clearError(home.dir())).isTrue();
        assertThat(outcome.servingAfter()).hasValue(1);
        assertThat(outcome.halfWritten()).isEmpty();
        assertThat(outcome.previousAnswers()).isTrue();
    }

    @Test
    void aHomeThatFillsUpDuringTheCopyLeavesNothingHalfWritten() {
        assumeMounted();
        List<DiskFaults.Outcome> outcomes = new ArrayList<>();

        // The disk's end placed around the export's size: some copies fail before, some in the middle, some fit.
        for (long leaveFree = faults.exportBytes() - 8192; leaveFree <= faults.exportBytes() + 32768; leaveFree += 4096) {
            outcomes.add(faults.promoteOnFullDisk(100 + outcomes.size(), leaveFree));
        }

        assertThat(outcomes).anySatisfy(o -> assertThat(o.error()).contains("the disk is full (cannot write "));
        assertThat(outcomes).allSatisfy(o -> {
            assertThat(o.halfWritten()).as(o.fault()).isEmpty();
            if (o.error() != null) {
                assertThat(o.previousAnswers()).as(o.fault()).isTrue();
                assertThat(o.clearError(home.dir())).as(o.error()).isTrue();
                assertThat(o.servingAfter()).hasValue(1);
            }
        });
    }

    @Test
    void aReadOnlyHomeRefusesTheNewVersionAndTheOldOneKeepsServing() {
        assumeMounted();

        DiskFaults.Outcome outcome = faults.promoteOnReadOnlyDisk(3);

        assertThat(outcome.error()).contains("cannot copy version 3 of model mnist")
                .contains("the disk is read-only (writing " + home.dir().resolve("serving/mnist"))
                .contains("Read-only file system").contains("remount it read-write");
        assertThat(outcome.servingAfter()).hasValue(1);
        assertThat(outcome.halfWritten()).isEmpty();
        assertThat(outcome.previousAnswers()).isTrue();
    }

    @Test
    void anImmutableCacheFolderRefusesTheNewVersionNamingIt() throws Exception {
        Path cache = work.resolve("locked-cache");
        try (ObjectStore store = startS3AndStore(); LocalServingBackend backend = new LocalServingBackend(store, cache,
                ModelServerSettings.anyFreePorts())) {
            backend.serve("mnist", 1, S3Location.parse("s3://models/mnist/1/"));
            LocalDisks.Result<AutoCloseable> locked = LocalDisks.immutable(cache.resolve("mnist"));
            Assumptions.assumeFalse(locked.refused(), locked.refusal());
            try (AutoCloseable unlock = locked.value()) {
                assertThatThrownBy(() -> backend.serve("mnist", 2, S3Location.parse("s3://models/mnist/1/")))
                        .isInstanceOf(ServingException.class)
                        .hasMessageContaining("Caravan may not write there (writing " + cache.resolve("mnist"))
                        .hasMessageContaining("make caravan.home writable for the user Caravan runs as");
            }
            assertThat(backend.servingVersion("mnist")).hasValue(1);
            try (var entries = Files.list(cache.resolve("mnist"))) {
                assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("1");
            }
        }
    }

    @Test
    void partialCopiesACrashLeftAreDeletedAtStartAndNeverServed() throws Exception {
        Path cache = work.resolve("crashed-cache");
        Path partial = Files.createDirectories(cache.resolve("mnist/.4.partial-123"));
        Files.writeString(partial.resolve("saved_model.pb"), "half");

        try (ObjectStore store = startS3AndStore(); LocalServingBackend backend = new LocalServingBackend(store, cache,
                ModelServerSettings.anyFreePorts())) {
            assertThat(partial).doesNotExist();
            assertThat(backend.servingVersion("mnist")).isEmpty();
        }
    }

    private static EmbeddedS3 s3;

    private static ObjectStore startS3AndStore() {
        if (s3 == null) {
            s3 = EmbeddedS3.start(work.resolve("s3-plain"), "127.0.0.1", 0, "key", "secret");
            try (ObjectStore store = ObjectStore.connect(s3.settings())) {
                store.createBucketIfMissing("models");
                store.uploadDirectory(TestModels.exportMnist(work.resolve("export-plain")),
                        S3Location.parse("s3://models/mnist/1/"), "saved_model.pb");
            }
        }
        return ObjectStore.connect(s3.settings());
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static void assumeMounted() {
        Assumptions.assumeTrue(faults != null, () -> "skipped: Caravan's home as a small tmpfs needs mount: " + refusal);
    }
}
