package dev.caravan.trigger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/** Freezes the objects under a data prefix into a {@link Snapshot} and keeps each snapshot for lineage. */
@Service
public class SnapshotStore {

    private static final TypeReference<List<Snapshot.Entry>> ENTRIES = new TypeReference<>() { };

    private final ObjectStore store;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public SnapshotStore(ObjectStore store, JdbcTemplate jdbc, ObjectMapper json) {
        this.store = store;
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Lists {@code prefix} now, leaving out the completion marker, which says nothing about the data. */
    public Snapshot freeze(S3Location prefix, String marker) {
        S3Location base = prefix.asPrefix();
        List<Snapshot.Entry> entries = store.list(base).stream()
                .filter(o -> !o.key().equals(base.key() + marker) && !o.key().endsWith("/"))
                .map(o -> new Snapshot.Entry(o.key(), o.eTag(), o.size()))
                .toList();
        return Snapshot.of(base, entries);
    }

    /** Freezes and records the snapshot; recording the same snapshot again changes nothing. */
    public Snapshot freezeAndSave(S3Location prefix, String marker) {
        Snapshot snapshot = freeze(prefix, marker);
        jdbc.update("MERGE INTO caravan_snapshot (hash, location, objects, object_count, total_bytes, created_at) "
                + "KEY (hash) VALUES (?, ?, ?, ?, ?, COALESCE((SELECT created_at FROM caravan_snapshot WHERE hash = ?), ?))",
                snapshot.hash(), snapshot.location().uri(), write(snapshot.objects()), snapshot.objects().size(),
                snapshot.totalBytes(), snapshot.hash(), Timestamp.from(Instant.now()));
        return snapshot;
    }

    public Optional<Snapshot> find(String hash) {
        return jdbc.query("SELECT location, objects, hash FROM caravan_snapshot WHERE hash = ?",
                (rs, row) -> new Snapshot(S3Location.parse(rs.getString("location")), read(rs.getString("objects")),
                        rs.getString("hash")), hash).stream().findFirst();
    }

    private String write(List<Snapshot.Entry> entries) {
        try {
            return json.writeValueAsString(entries);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a snapshot's object list", e);
        }
    }

    private List<Snapshot.Entry> read(String entries) {
        try {
            return json.readValue(entries, ENTRIES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored snapshot's object list is not valid JSON", e);
        }
    }
}
