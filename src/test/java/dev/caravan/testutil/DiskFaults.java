package dev.caravan.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.serving.LocalServingBackend;
import dev.caravan.serving.ModelServerSettings;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.testutil.MnistData;
import dev.caravan.serving.testutil.TestModels;
import dev.caravan.smoketest.PredictClient;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.training.LocalTrainingBackend;
import dev.caravan.training.TrainingRequest;

/**
 * The fault suite's disk faults: Caravan's home is a small tmpfs ({@link LocalDisks.Mount}) made full or read-only
 * while a new version is promoted (the model server copies its export into {@code <home>/serving}) and while a
 * training starts (its log and pid file go to {@code <home>/runs}). S3 lives outside the home, as MinIO would.
 * Version 1 serves before every fault; each {@link Outcome} holds what a user would check. Shared by the CI test
 * {@code DiskFaultsTest} and the bench main {@code DiskFaultScenario}.
 */
public final class DiskFaults implements AutoCloseable {

    private static final String MODEL = "mnist";
    private static final S3Location EXPORT_1 = S3Location.parse("s3://models/mnist/1/");
    private static final S3Location EXPORT_2 = S3Location.parse("s3://models/mnist/2/");

    /**
     * One fault's result: the error a user reads, the version serving afterwards, the copies in the cache that are
     * not a whole export (a partial folder, or a version folder missing files), and whether version 1 still answers.
     */
    public record Outcome(String fault, long version, String error, OptionalLong servingAfter,
            List<String> halfWritten, boolean previousAnswers) {

        /** The error names the home's path and says what to do about the disk. */
        public boolean clearError(Path home) {
            return error != null && error.contains(home.toString()) && (error.contains("free space")
                    || error.contains("remount it read-write") || error.contains("make it writable")
                    || error.contains("make caravan.home writable"));
        }

        /** Half-written versions that serve or could be loaded: copies left incomplete, or the failed version serving. */
        public long halfWrittenServed() {
            return halfWritten.size() + (error != null && servingAfter.orElse(-1) == version ? 1 : 0);
        }
    }

    private final LocalDisks.Mount home;
    private final EmbeddedS3 s3;
    private final ObjectStore store;
    private final LocalServingBackend serving;
    private final long exportBytes;

    private DiskFaults(LocalDisks.Mount home, EmbeddedS3 s3, ObjectStore store, LocalServingBackend serving,
            long exportBytes) {
        this.home = home;
        this.s3 = s3;
        this.store = store;
        this.serving = serving;
        this.exportBytes = exportBytes;
    }

    /** Exports a model twice into S3 under {@code work}, and serves version 1 from a cache in {@code home}. */
    public static DiskFaults start(LocalDisks.Mount home, Path work) {
        EmbeddedS3 s3 = EmbeddedS3.start(work.resolve("s3"), "127.0.0.1", 0, "key", "secret");
        ObjectStore store = ObjectStore.connect(s3.settings());
        store.createBucketIfMissing("models");
        Path export = TestModels.exportMnist(work.resolve("export"));
        store.uploadDirectory(export, EXPORT_1, "saved_model.pb");
        store.uploadDirectory(export, EXPORT_2, "saved_model.pb");
        LocalServingBackend serving = new LocalServingBackend(store, home.dir().resolve("serving"),
                ModelServerSettings.anyFreePorts());
        serving.start();
        serving.serve(MODEL, 1, EXPORT_1);
        long bytes = store.list(EXPORT_2).stream().mapToLong(o -> o.size()).sum();
        return new DiskFaults(home, s3, store, serving, bytes);
    }

    /** The bytes of the export promoted, to place the disk's end around. */
    public long exportBytes() {
        return exportBytes;
    }

    /**
     * Promotes {@code version} (export 2) with only {@code leaveFree} bytes left on the home's disk. When it fits,
     * version 1 is served again and the copy deleted, so the next attempt starts alike.
     */
    public Outcome promoteOnFullDisk(long version, long leaveFree) {
        Path filler = home.fill(leaveFree);
        try {
            return promote("full, " + leaveFree + " bytes free", version);
        } finally {
            deleteQuietly(filler);
            restore(version);
        }
    }

    /** Promotes {@code version} (export 2) while the home's disk is read-only. */
    public Outcome promoteOnReadOnlyDisk(long version) {
        home.remountReadOnly();
        try {
            return promote("read-only", version);
        } finally {
            home.remountReadWrite();
            restore(version);
        }
    }

    /** Starts a training whose run folder is on the home's disk, full; the error it fails with. */
    public String trainOnFullDisk(String run) {
        Path filler = home.fill(0);
        try {
            return train(run);
        } finally {
            deleteQuietly(filler);
        }
    }

    /** Starts a training whose run folder is on the home's disk, read-only; the error it fails with. */
    public String trainOnReadOnlyDisk(String run) {
        home.remountReadOnly();
        try {
            return train(run);
        } finally {
            home.remountReadWrite();
        }
    }

    public Path home() {
        return home.dir();
    }

    @Override
    public void close() {
        serving.close();
        store.close();
        s3.close();
    }

    private Outcome promote(String fault, long version) {
        String error = null;
        try {
            serving.serve(MODEL, version, EXPORT_2);
        } catch (RuntimeException e) {
            error = e.getMessage();
        }
        return new Outcome(fault, version, error, serving.servingVersion(MODEL), halfWritten(), answersWithVersion1());
    }

    private String train(String run) {
        LocalTrainingBackend training = new LocalTrainingBackend(home.dir().resolve("runs"), s3.settings(),
                LocalTrainingBackend.currentJava(), System.getProperty("java.class.path"), List.of(), Map.of());
        TrainingRequest request = new TrainingRequest(run, S3Location.parse("s3://models/data/"),
                S3Location.parse("s3://models/runs/" + run + "/"), S3Location.parse("s3://models/mnist/" + run + "/"),
                new PipelineDefinition.Trainer(null, List.of("true"), null, Map.of(), Duration.ofMinutes(1)), Map.of());
        try {
            training.train(request, progress -> { });
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    /** Entries of the model's cache folder that are not a whole copy of the export. */
    private List<String> halfWritten() {
        Path modelDir = home.dir().resolve("serving").resolve(MODEL);
        try (Stream<Path> entries = Files.list(modelDir)) {
            return entries.filter(dir -> !isWholeCopy(dir)).map(dir -> dir.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean isWholeCopy(Path dir) {
        if (!dir.getFileName().toString().matches("\\d+")) {
            return false;
        }
        return store.list(EXPORT_2).stream().allMatch(object -> {
            Path file = dir.resolve(object.key().substring(EXPORT_2.key().length()));
            try {
                return Files.isRegularFile(file) && Files.size(file) == object.size();
            } catch (IOException e) {
                return false;
            }
        });
    }

    private boolean answersWithVersion1() {
        ServingEndpoint endpoint = serving.endpoint();
        try (PredictClient client = new PredictClient(endpoint.host(), endpoint.grpcPort())) {
            PredictClient.Prediction answer = client.predict(MODEL, OptionalLong.empty(), MnistData.test(1).images()[0]);
            return answer.version() == 1 && answer.digit() == 7;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Serves version 1 again and forgets the copy of {@code version}, should the promotion have worked. */
    private void restore(long version) {
        serving.serve(MODEL, 1, EXPORT_1);
        deleteQuietly(home.dir().resolve("serving").resolve(MODEL).resolve(Long.toString(version)));
    }

    private static void deleteQuietly(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }
}
