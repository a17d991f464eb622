package dev.caravan.snapshot;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

import dev.caravan.database.Database;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/** Freezes the objects under a data prefix into a {@link Snapshot} and keeps each snapshot for lineage. */
@Service
public class SnapshotStore {

    private final ObjectStore store;
    private final JdbcTemplate jdbc;
    private final String upsert;

    public SnapshotStore(ObjectStore store, JdbcTemplate jdbc, Database database) {
        this.store = store;
        this.jdbc = jdbc;
        this.upsert = database.upsert("caravan_snapshot", List.of("hash"),
                List.of("location", "object_count", "total_bytes"), List.of("created_at"));
    }

    /**
     * Lists {@code prefix} now, leaving out the completion marker, which says nothing about the data. The listing
     * is read a page at a time, so the memory this takes does not grow with the number of objects.
     */
    public Snapshot freeze(S3Location prefix, String marker) {
        S3Location base = prefix.asPrefix();
        String markerKey = base.key() + marker;
        Iterable<Snapshot.Entry> entries = () -> StreamSupport.stream(store.listing(base).spliterator(), false)
                .filter(o -> !o.key().equals(markerKey) && !o.key().endsWith("/"))
                .map(o -> new Snapshot.Entry(o.key(), o.eTag(), o.size()))
                .iterator();
        return Snapshot.ofListing(base, entries);
    }

    /** Freezes and records the snapshot; recording the same snapshot again changes nothing. */
    public Snapshot freezeAndSave(S3Location prefix, String marker) {
        Snapshot snapshot = freeze(prefix, marker);
        jdbc.update(upsert, snapshot.hash(), snapshot.location().uri(), snapshot.objectCount(), snapshot.totalBytes(),
                Timestamp.from(Instant.now()));
        return snapshot;
    }

    /** The recorded snapshot with this hash. */
    public Optional<Snapshot> find(String hash) {
        return jdbc.query("SELECT location, object_count, total_bytes, hash FROM caravan_snapshot WHERE hash = ?",
                (row, i) -> new Snapshot(S3Location.parse(row.getString(1)), row.getInt(2), row.getLong(3),
                        row.getString(4)), hash).stream().findFirst();
    }
}
