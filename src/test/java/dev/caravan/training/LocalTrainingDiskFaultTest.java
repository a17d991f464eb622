package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.LocalDisks;

/**
 * A local training whose run folder is on a full or read-only disk fails before its trainer starts, naming the path
 * and what to do. Full is /dev/full behind the log's name (ENOSPC on every write, no privilege needed); read-only is
 * an immutable runs folder ({@code chattr +i}), skipped where the system refuses it.
 */
class LocalTrainingDiskFaultTest {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/csv/");

    @TempDir
    static Path tempDir;

    private static EmbeddedS3 s3;

    @BeforeAll
    static void startS3() {
        s3 = EmbeddedS3.start(tempDir.resolve("s3"), "127.0.0.1", 0, "key", "secret");
        try (ObjectStore store = ObjectStore.connect(s3.settings())) {
            store.createBucketIfMissing("tfmnist");
        }
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Test
    void aFullDiskUnderTheRunFolderFailsNamingTheLogAndWhatToDo() throws Exception {
        Path runs = tempDir.resolve("full-runs");
        Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "this system has no /dev/full");
        Files.createDirectories(runs.resolve("run-full"));
        Files.createSymbolicLink(runs.resolve("run-full/trainer.log"), Path.of("/dev/full"));

        assertThatThrownBy(() -> backend(runs).train(request("run-full"), p -> { }))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("cannot write the trainer's log: no space left on the disk of "
                        + runs.resolve("run-full/trainer.log") + " (No space left on device)")
                .hasMessageContaining("free space there (df -h " + runs.resolve("run-full") + " shows how much is left)")
                .hasMessageContaining("or move caravan.home to a larger disk");
        assertThat(runs.resolve("run-full/trainer.pid")).as("no trainer was started").doesNotExist();
    }

    @Test
    void aRunsFolderThatCannotBeWrittenFailsNamingItAndWhatToDo() throws Exception {
        Path runs = Files.createDirectories(tempDir.resolve("locked-runs"));
        LocalDisks.Result<AutoCloseable> locked = LocalDisks.immutable(runs);
        Assumptions.assumeFalse(locked.refused(), locked.refusal());
        try (AutoCloseable unlock = locked.value()) {
            assertThatThrownBy(() -> backend(runs).train(request("run-locked"), p -> { }))
                    .isInstanceOf(TrainingException.class)
                    .hasMessageContaining("cannot create the run folder: Caravan may not write "
                            + runs.resolve("run-locked"))
                    .hasMessageContaining("make it writable for the user Caravan runs as");
        }
    }

    @Test
    void aReadOnlyHomeFailsNamingItAndWhatToDo() throws Exception {
        LocalDisks.Result<LocalDisks.Mount> mounted = LocalDisks.tmpfs(tempDir.resolve("ro-home"), "1m");
        Assumptions.assumeFalse(mounted.refused(), mounted.refusal());
        try (LocalDisks.Mount home = mounted.value()) {
            Path runs = Files.createDirectories(home.dir().resolve("runs"));
            home.remountReadOnly();

            assertThatThrownBy(() -> backend(runs).train(request("run-ro"), p -> { }))
                    .isInstanceOf(TrainingException.class)
                    .hasMessageContaining(runs.resolve("run-ro") + " is on a read-only file system")
                    .hasMessageContaining("remount it read-write or move caravan.home to a writable disk");
        }
    }

    private static LocalTrainingBackend backend(Path runs) {
        return new LocalTrainingBackend(runs, s3.settings(), LocalTrainingBackend.currentJava(),
                System.getProperty("java.class.path"), List.of(), Map.of());
    }

    private static TrainingRequest request(String run) {
        return new TrainingRequest(run, DATA, S3Location.parse("s3://tfmnist/runs/" + run + "/"),
                S3Location.parse("s3://tfmnist/models/" + run + "/1/"), new PipelineDefinition.Trainer(null,
                        List.of("true"), null, Map.of(), Duration.ofMinutes(1)), Map.of());
    }
}
