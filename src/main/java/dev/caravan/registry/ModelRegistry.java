package dev.caravan.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.caravan.registry.ModelVersion.State;
import dev.caravan.storage.S3Location;

/** The model registry in H2: what evaluate, promote and rollback read and record. */
@Service
public class ModelRegistry {

    private static final String COLUMNS = "model, version, run_name, snapshot, export_uri, accuracy, state, reason, "
            + "created_at, promoted_at, retired_at";

    private final JdbcTemplate jdbc;

    public ModelRegistry(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The version a run produces: the one it reserved before (a restarted run keeps its version), else the next
     * number for the model, above every version recorded here and above {@code highestInStore} (the highest version
     * folder already in S3, 0 for none, so a wiped database never numbers a version twice), recorded as a candidate
     * exported at {@code exportFor(version)}.
     */
    @Transactional
    public ModelVersion reserve(String model, String runName, String snapshot, long highestInStore,
                                LongFunction<S3Location> exportFor) {
        Optional<ModelVersion> existing = byRun(runName);
        if (existing.isPresent()) {
            return existing.get();
        }
        jdbc.queryForList("SELECT version FROM caravan_model_version WHERE model = ? FOR UPDATE", Long.class, model);
        long recorded = jdbc.queryForObject(
                "SELECT COALESCE(MAX(version), 0) FROM caravan_model_version WHERE model = ?", Long.class, model);
        long version = Math.max(recorded, highestInStore) + 1;
        jdbc.update("INSERT INTO caravan_model_version (model, version, run_name, snapshot, export_uri, state, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", model, version, runName, snapshot, exportFor.apply(version).uri(),
                State.CANDIDATE.name(), Timestamp.from(Instant.now()));
        return find(model, version).orElseThrow();
    }

    public Optional<ModelVersion> find(String model, long version) {
        return first("SELECT " + COLUMNS + " FROM caravan_model_version WHERE model = ? AND version = ?", model, version);
    }

    public Optional<ModelVersion> byRun(String runName) {
        return first("SELECT " + COLUMNS + " FROM caravan_model_version WHERE run_name = ?", runName);
    }

    public Optional<ModelVersion> serving(String model) {
        return first("SELECT " + COLUMNS + " FROM caravan_model_version WHERE model = ? AND state = 'SERVING'", model);
    }

    /**
     * The serving version of {@code model} when it was trained on data frozen later than {@code snapshot}: a model of
     * older data must not replace it automatically. Empty when the serving version's data is not newer, or when
     * either snapshot was never recorded.
     */
    public Optional<ModelVersion> servingOnNewerData(String model, String snapshot) {
        return first("SELECT " + COLUMNS + " FROM caravan_model_version v WHERE v.model = ? AND v.state = 'SERVING' "
                + "AND (SELECT s.created_at FROM caravan_snapshot s WHERE s.hash = v.snapshot) "
                + "> (SELECT s.created_at FROM caravan_snapshot s WHERE s.hash = ?)", model, snapshot);
    }

    /** Every version of a model, newest first. */
    public List<ModelVersion> versions(String model) {
        return jdbc.query("SELECT " + COLUMNS + " FROM caravan_model_version WHERE model = ? ORDER BY version DESC",
                ModelRegistry::map, model);
    }

    /** Every model that has a serving version, with it. */
    public List<ModelVersion> servingVersions() {
        return jdbc.query("SELECT " + COLUMNS + " FROM caravan_model_version WHERE state = 'SERVING' ORDER BY model",
                ModelRegistry::map);
    }

    /** Every model with at least one version, by name. */
    public List<String> models() {
        return jdbc.queryForList("SELECT DISTINCT model FROM caravan_model_version ORDER BY model", String.class);
    }

    /** The version that served most recently before the serving one: where a rollback goes. */
    public Optional<ModelVersion> lastRetired(String model) {
        return first("SELECT " + COLUMNS + " FROM caravan_model_version WHERE model = ? AND state = 'RETIRED' "
                + "ORDER BY retired_at DESC, version DESC LIMIT 1", model);
    }

    public void recordAccuracy(String model, long version, double accuracy) {
        jdbc.update("UPDATE caravan_model_version SET accuracy = ? WHERE model = ? AND version = ?", accuracy, model, version);
    }

    /**
     * Records that {@code version} passed its gate: a candidate again, also when an earlier attempt of its run failed
     * or was stopped and turned it down.
     */
    public void passed(String model, long version, String reason) {
        jdbc.update("UPDATE caravan_model_version SET state = 'CANDIDATE', reason = ? WHERE model = ? AND version = ? "
                + "AND state IN ('CANDIDATE', 'REJECTED')", reason, model, version);
    }

    /** Records why a candidate that passed its gate was not promoted; it stays a candidate a person can promote. */
    public void holdBack(String model, long version, String reason) {
        jdbc.update("UPDATE caravan_model_version SET reason = ? WHERE model = ? AND version = ? AND state = 'CANDIDATE'",
                reason, model, version);
    }

    public void reject(String model, long version, String reason) {
        jdbc.update("UPDATE caravan_model_version SET state = 'REJECTED', reason = ? WHERE model = ? AND version = ?",
                reason, model, version);
    }

    /** Makes {@code version} the serving one and retires the one that served before. */
    @Transactional
    public void promote(String model, long version, String reason) {
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("UPDATE caravan_model_version SET state = 'RETIRED', retired_at = ? "
                + "WHERE model = ? AND state = 'SERVING' AND version <> ?", now, model, version);
        jdbc.update("UPDATE caravan_model_version SET state = 'SERVING', reason = ?, promoted_at = ?, retired_at = NULL "
                + "WHERE model = ? AND version = ?", reason, now, model, version);
    }

    /** Turns {@code failed} down and puts {@code previous} (if any) back in service. */
    @Transactional
    public void rollBack(String model, long failed, Long previous, String reason) {
        reject(model, failed, reason);
        if (previous != null) {
            jdbc.update("UPDATE caravan_model_version SET state = 'SERVING', retired_at = NULL "
                    + "WHERE model = ? AND version = ?", model, previous);
        }
    }

    private Optional<ModelVersion> first(String sql, Object... args) {
        return jdbc.query(sql, ModelRegistry::map, args).stream().findFirst();
    }

    private static ModelVersion map(ResultSet rs, int row) throws SQLException {
        return new ModelVersion(rs.getString("model"), rs.getLong("version"), rs.getString("run_name"),
                rs.getString("snapshot"), S3Location.parse(rs.getString("export_uri")),
                rs.getObject("accuracy", Double.class), State.valueOf(rs.getString("state")), rs.getString("reason"),
                instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("promoted_at")),
                instant(rs.getTimestamp("retired_at")));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
