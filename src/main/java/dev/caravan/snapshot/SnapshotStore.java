package dev.caravan.snapshot;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.StreamSupport;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

import dev.caravan.database.Database;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.ObjectChangedException;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/**
 * Freezes the data under a pipeline's prefix: copies it inside S3 into {@code <snapshots prefix><model>/<hash>/}, where
 * nothing writes it again, and records the {@link Snapshot} for lineage. A run reads only that copy, so an upload while
 * it runs changes nothing it validates, trains or evaluates; the upload is the next snapshot's.
 */
@Service
public class SnapshotStore {

    /** The object written last into a snapshot folder: its source and objects. A folder without it is incomplete. */
    public static final String MANIFEST = "_SNAPSHOT";
    /** The most AWS S3 CopyObject copies in one request. */
    static final long MAX_COPY_BYTES = 5L * 1024 * 1024 * 1024;
    private static final int TRIES = 3;

    private final ObjectStore store;
    private final JdbcTemplate jdbc;
    private final SnapshotSettings settings;
    private final String upsert;

    public SnapshotStore(ObjectStore store, JdbcTemplate jdbc, Database database, SnapshotSettings settings) {
        this.store = store;
        this.jdbc = jdbc;
        this.settings = settings;
        this.upsert = database.upsert("caravan_snapshot", List.of("hash"),
                List.of("location", "object_count", "total_bytes"), List.of("created_at"));
    }

    /**
     * The snapshot {@code prefix} would be now: its objects by key and ETag, the completion marker left out (it says
     * nothing about the data). Nothing is copied or recorded.
     */
    public Snapshot hash(S3Location prefix, String marker) {
        return Snapshot.ofListing(prefix.asPrefix(), entries(prefix.asPrefix(), marker));
    }

    /**
     * Freezes the pipeline's data as it is now: lists it, copies each object as listed (a copy made only while the
     * object still has the listed ETag) into {@link #dataDir}, writes the {@value #MANIFEST} last, records the snapshot
     * and deletes the copies {@link SnapshotRetention} lets go. Data frozen before is not copied again. Data that
     * changes while it is copied is listed and copied again, up to three times. The listing is held while it is
     * copied, about a hundred bytes an object.
     *
     * @throws IllegalStateException when the data kept changing, an object is too large to copy, or the snapshots
     *                               prefix lies under the watched one; the message says what to do
     */
    public Snapshot freeze(PipelineDefinition pipeline) {
        S3Location source = pipeline.dataLocation().asPrefix();
        requireApart(pipeline, source);
        ObjectChangedException changed = null;
        for (int i = 0; i < TRIES; i++) {
            List<Snapshot.Entry> entries = new ArrayList<>();
            entries(source, pipeline.source().marker()).forEach(entries::add);
            Snapshot snapshot = Snapshot.of(source, entries);
            try {
                copy(source, entries, dataDir(pipeline, snapshot.hash()));
            } catch (ObjectChangedException e) {
                changed = e;
                continue;
            }
            record(snapshot);
            prune(pipeline, snapshot.hash());
            return snapshot;
        }
        throw new IllegalStateException("the data under " + source + " kept changing while it was frozen (" + TRIES
                + " tries; last: " + changed.getMessage() + "); let the upload finish, then put its marker again", changed);
    }

    /** {@code s3://<bucket>/<snapshots prefix><model>/<hash>/}: the frozen copy runs read as their data. */
    public S3Location dataDir(PipelineDefinition pipeline, String hash) {
        return settings.modelSnapshots(pipeline).resolve(hash + "/");
    }

    /**
     * The frozen copy of snapshot {@code hash}, for a run about to read it. When the copy is missing (the retention
     * rule deleted it, or the run was triggered before snapshots were copied) and the data under the pipeline's
     * prefix is still that snapshot, it is frozen again now.
     *
     * @throws IllegalStateException when the copy is gone and the data has changed since; the message says what to do
     */
    public S3Location frozenCopy(PipelineDefinition pipeline, String hash) {
        S3Location dir = dataDir(pipeline, hash);
        if (!store.exists(dir.resolve(MANIFEST))) {
            S3Location source = pipeline.dataLocation().asPrefix();
            if (!hash(source, pipeline.source().marker()).hash().equals(hash) || !freeze(pipeline).hash().equals(hash)) {
                throw new IllegalStateException("the data snapshot " + dir + " is gone (the retention rule deleted it,"
                        + " or the run began before snapshots were copied) and the data under " + source + " has"
                        + " changed since; upload the data and its marker again to train on it");
            }
        }
        return dir;
    }

    /**
     * Checks that the frozen copy at {@code dataDir} is complete and unchanged: its {@value #MANIFEST} is there and
     * every object it names is there with its size, and no other.
     *
     * @throws IllegalStateException when it is not, saying what is missing or different and what to do
     */
    public void requireIntact(S3Location dataDir) {
        S3Location dir = dataDir.asPrefix();
        if (!store.exists(dir.resolve(MANIFEST))) {
            throw new IllegalStateException("the data snapshot " + dir + " is gone or incomplete (it has no " + MANIFEST
                    + "): the retention rule deleted it, or its freezing did not finish; upload the data and its marker"
                    + " again to train on it");
        }
        Map<String, Long> frozen = new TreeMap<>();
        String[] lines = new String(store.read(dir.resolve(MANIFEST)), StandardCharsets.UTF_8).split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] fields = lines[i].split("\t");
            frozen.put(fields[0], Long.parseLong(fields[2]));
        }
        Map<String, Long> there = new TreeMap<>();
        store.listing(dir).forEach(o -> there.put(o.key().substring(dir.key().length()), o.size()));
        there.remove(MANIFEST);
        if (!frozen.equals(there)) {
            Set<String> differ = new TreeSet<>(frozen.keySet());
            differ.addAll(there.keySet());
            differ.removeIf(key -> Objects.equals(frozen.get(key), there.get(key)));
            throw new IllegalStateException("the data snapshot " + dir + " is not as it was frozen: " + differ
                    + " changed, appeared or went missing; nothing may write"
                    + " under " + settings.prefix() + ", so check what did, then upload the data and its marker again");
        }
    }

    /** The recorded snapshot with this hash. */
    public Optional<Snapshot> find(String hash) {
        return jdbc.query("SELECT location, object_count, total_bytes, hash FROM caravan_snapshot WHERE hash = ?",
                (row, i) -> new Snapshot(S3Location.parse(row.getString(1)), row.getInt(2), row.getLong(3),
                        row.getString(4)), hash).stream().findFirst();
    }

    /**
     * Deletes the frozen copies of the pipeline's model that {@link SnapshotRetention} lets go; complete ones only, and
     * never {@code justFrozen}, whose run may not be recorded yet.
     */
    Set<String> prune(PipelineDefinition pipeline, String justFrozen) {
        Map<String, S3Location> folders = new LinkedHashMap<>();
        S3Location base = settings.modelSnapshots(pipeline);
        store.folders(base).forEach(f -> folders.put(f.key().substring(base.key().length()).replace("/", ""), f));
        List<SnapshotRetention.Frozen> frozen = folders.keySet().stream()
                .map(hash -> new SnapshotRetention.Frozen(hash, frozenAt(hash))).toList();
        Set<String> kept = inUse(pipeline.model());
        kept.add(justFrozen);
        Set<String> expired = SnapshotRetention.expired(frozen, kept, settings.keepNewest());
        for (String hash : expired) {
            // A folder without its manifest is still being written: it is not this rule's to delete.
            if (store.exists(folders.get(hash).resolve(MANIFEST))) {
                store.deleteAll(folders.get(hash), MANIFEST);
            }
        }
        return expired;
    }

    private Iterable<Snapshot.Entry> entries(S3Location base, String marker) {
        String markerKey = base.key() + marker;
        return () -> StreamSupport.stream(store.listing(base).spliterator(), false)
                .filter(o -> !o.key().equals(markerKey) && !o.key().endsWith("/"))
                .map(o -> new Snapshot.Entry(o.key(), o.eTag(), o.size()))
                .iterator();
    }

    private void copy(S3Location source, List<Snapshot.Entry> entries, S3Location dir) {
        if (store.exists(dir.resolve(MANIFEST))) {
            return;
        }
        StringBuilder manifest = new StringBuilder("source\t" + source.uri() + "\n");
        for (Snapshot.Entry entry : entries) {
            String name = entry.key().substring(source.key().length());
            if (entry.size() > MAX_COPY_BYTES) {
                throw new IllegalStateException("cannot freeze " + source + ": " + name + " has " + entry.size()
                        + " bytes, more than the 5 GB S3 copies in one request; split it into smaller objects");
            }
            store.copyIfMatch(new S3Location(source.bucket(), entry.key()), entry.etag(), dir.resolve(name));
            manifest.append(name).append('\t').append(entry.etag()).append('\t').append(entry.size()).append('\n');
        }
        store.put(dir.resolve(MANIFEST), manifest.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void record(Snapshot snapshot) {
        jdbc.update(upsert, snapshot.hash(), snapshot.location().uri(), snapshot.objectCount(), snapshot.totalBytes(),
                Timestamp.from(Instant.now()));
    }

    private Instant frozenAt(String hash) {
        return jdbc.queryForList("SELECT created_at FROM caravan_snapshot WHERE hash = ?", Timestamp.class, hash)
                .stream().findFirst().map(Timestamp::toInstant).orElse(null);
    }

    /** Snapshots a version that serves or may still be promoted was trained on, or a run not ended reads. */
    private Set<String> inUse(String model) {
        return new HashSet<>(jdbc.queryForList("SELECT snapshot FROM caravan_model_version WHERE model = ? AND state IN"
                + " ('CANDIDATE', 'SERVING') UNION SELECT snapshot FROM caravan_run WHERE model = ? AND ended_at IS NULL",
                String.class, model, model));
    }

    /** Copies under the watched prefix would look like new uploads, and the watched data like snapshots. */
    private void requireApart(PipelineDefinition pipeline, S3Location source) {
        String copies = settings.modelSnapshots(pipeline).key();
        if (copies.startsWith(source.key()) || source.key().startsWith(copies)) {
            throw new IllegalStateException("cannot freeze the data of pipeline " + pipeline.name() + ": its snapshots"
                    + " would go to s3://" + source.bucket() + "/" + copies + ", which overlaps its source " + source
                    + "; set caravan.snapshots.prefix outside the pipeline's source.prefix, e.g. snapshots/");
        }
    }
}
