package dev.caravan.pipeline;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.caravan.database.Database;
import dev.caravan.training.TrainingProgress;

/**
 * Runs and their training curves in the database, kept beside Spring Batch's own tables for fast listing. A run's
 * status is QUEUED (waiting behind its model's run), STARTED, COMPLETED, FAILED, STOPPED, or DROPPED (it waited and
 * will not start). Every write commits before it returns.
 */
@Repository
public class RunStore {

    private static final String COLUMNS = "run_name, model, snapshot, job_instance_id, job_execution_id, status, "
            + "outcome, message, model_version, created_at, started_at, ended_at, origin";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, String>> SETTINGS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final String upsertScalar;

    public RunStore(JdbcTemplate jdbc, Database database) {
        this.jdbc = jdbc;
        this.upsertScalar = database.upsert("caravan_run_scalar", List.of("run_name", "step"),
                List.of("loss", "accuracy", "total_steps"), List.of());
    }

    /** Records a run when its job starts; a restarted run keeps its row and gets the new execution. */
    public void started(String name, String model, String snapshot, long jobInstanceId, long jobExecutionId) {
        Timestamp now = Timestamp.from(Instant.now());
        int updated = jdbc.update("UPDATE caravan_run SET job_instance_id = ?, job_execution_id = ?, status = 'STARTED', "
                + "outcome = NULL, message = NULL, started_at = ?, ended_at = NULL WHERE run_name = ?",
                jobInstanceId, jobExecutionId, now, name);
        if (updated == 0) {
            jdbc.update("INSERT INTO caravan_run (run_name, model, snapshot, job_instance_id, job_execution_id, status, "
                    + "created_at, started_at) VALUES (?, ?, ?, ?, ?, 'STARTED', ?, ?)",
                    name, model, snapshot, jobInstanceId, jobExecutionId, now, now);
        }
    }

    /**
     * Records a run that waits behind its model's current run, with the settings and origin it needs to start after
     * a restart. A run that exists already (a failed run asked to retry) keeps its row and waits again; a completed
     * one stays as it is, since its work is done.
     */
    public void queued(String name, String model, String snapshot, Map<String, String> settings, String origin) {
        Timestamp now = Timestamp.from(Instant.now());
        String json = write(settings);
        int updated = jdbc.update("UPDATE caravan_run SET status = 'QUEUED', outcome = NULL, message = NULL, "
                + "ended_at = NULL, settings = ?, origin = ? WHERE run_name = ? AND status <> 'COMPLETED'", json,
                truncate(origin), name);
        if (updated == 0 && find(name).isEmpty()) {
            jdbc.update("INSERT INTO caravan_run (run_name, model, snapshot, status, settings, origin, created_at) "
                    + "VALUES (?, ?, ?, 'QUEUED', ?, ?, ?)", name, model, snapshot, json, truncate(origin), now);
        }
    }

    /**
     * Records a request for a run on a replica that does not lead, as {@link #queued} does, but leaves a run that is
     * going (STARTED, on the leader) as it is, in one statement, so a request never turns a going run back to waiting.
     *
     * @return false when the run is going
     */
    public boolean requested(String name, String model, String snapshot, Map<String, String> settings, String origin) {
        int updated = jdbc.update("UPDATE caravan_run SET status = 'QUEUED', outcome = NULL, message = NULL, "
                + "ended_at = NULL, settings = ?, origin = ? WHERE run_name = ? AND status NOT IN ('COMPLETED', "
                + "'STARTED')", write(settings), truncate(origin), name);
        if (updated > 0) {
            return true;
        }
        Optional<Run> found = find(name);
        if (found.isEmpty()) {
            queued(name, model, snapshot, settings, origin);
            return true;
        }
        return !"STARTED".equals(found.get().status());
    }

    /**
     * Ends a run that waited and will not start: replaced by a newer request, or stopped before it started. True if
     * it waited (status QUEUED) until now.
     */
    public boolean dropped(String name, String message) {
        return 1 == jdbc.update("UPDATE caravan_run SET status = 'DROPPED', message = ?, ended_at = ? WHERE run_name = ? "
                + "AND status = 'QUEUED'", truncate(message), Timestamp.from(Instant.now()), name);
    }

    /** Ends a run that waited and could not be launched at all, so it does not wait for ever. */
    public void notLaunched(String name, String message) {
        jdbc.update("UPDATE caravan_run SET status = 'FAILED', outcome = 'FAILED', message = ?, ended_at = ? "
                + "WHERE run_name = ? AND status = 'QUEUED'", truncate(message), Timestamp.from(Instant.now()), name);
    }

    /** The runs that wait (status QUEUED), oldest first, as requests to start again. */
    public List<Waiting> waiting() {
        return jdbc.query("SELECT run_name, model, snapshot, settings, origin FROM caravan_run WHERE status = 'QUEUED' "
                + "ORDER BY created_at, run_name", (rs, row) -> new Waiting(rs.getString("run_name"),
                rs.getString("model"), rs.getString("snapshot"), read(rs.getString("settings")), rs.getString("origin")));
    }

    /** A run that waits: what it takes to ask for it again. */
    public record Waiting(String name, String model, String snapshot, Map<String, String> settings, String origin) {
    }

    public void modelVersion(String name, long version) {
        jdbc.update("UPDATE caravan_run SET model_version = ? WHERE run_name = ?", version, name);
    }

    public void ended(String name, String status, String outcome, String message) {
        jdbc.update("UPDATE caravan_run SET status = ?, outcome = ?, message = ?, ended_at = ? WHERE run_name = ?",
                status, outcome, truncate(message), Timestamp.from(Instant.now()), name);
    }

    public Optional<Run> find(String name) {
        return jdbc.query("SELECT " + COLUMNS + " FROM caravan_run WHERE run_name = ?", RunStore::map, name)
                .stream().findFirst();
    }

    /** The newest runs first. */
    public List<Run> list(int limit) {
        return list(null, null, null, limit);
    }

    /** The newest runs first, of a status, a model and since a time when these are given. */
    public List<Run> list(String status, String model, Instant since, int limit) {
        return list(status, model, since, limit, 0);
    }

    /** A page of {@link #list(String, String, Instant, int)}: {@code limit} runs after the first {@code offset}. */
    public List<Run> list(String status, String model, Instant since, int limit, int offset) {
        List<Object> args = new ArrayList<>();
        String sql = "SELECT " + COLUMNS + " FROM caravan_run" + where(status, model, since, args)
                + " ORDER BY created_at DESC, run_name LIMIT ? OFFSET ?";
        args.add(limit);
        args.add(offset);
        return jdbc.query(sql, RunStore::map, args.toArray());
    }

    /** How many runs {@link #list(String, String, Instant, int)} would give without a limit. */
    public long count(String status, String model, Instant since) {
        List<Object> args = new ArrayList<>();
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM caravan_run" + where(status, model, since, args),
                Long.class, args.toArray());
        return count == null ? 0 : count;
    }

    private static String where(String status, String model, Instant since, List<Object> args) {
        StringBuilder sql = new StringBuilder(" WHERE 1 = 1");
        if (status != null && !status.isBlank()) {
            sql.append(" AND (status = ? OR outcome = ?)");
            args.add(status.toUpperCase(Locale.ROOT));
            args.add(status.toUpperCase(Locale.ROOT));
        }
        if (model != null && !model.isBlank()) {
            sql.append(" AND model = ?");
            args.add(model);
        }
        if (since != null) {
            sql.append(" AND created_at >= ?");
            args.add(Timestamp.from(since));
        }
        return sql.toString();
    }

    /** Adds a point to the run's curves, with the total steps the trainer reported, if it reported one. */
    public void addScalar(String name, TrainingProgress progress) {
        jdbc.update(upsertScalar, name, progress.step(), progress.loss(), progress.accuracy(),
                progress.totalSteps() > 0 ? progress.totalSteps() : null);
    }

    /**
     * The run's curves, by step, each with the total steps its trainer reported; 0 where it reported none, as
     * {@link TrainingProgress} has it.
     */
    public List<TrainingProgress> scalars(String name) {
        return jdbc.query("SELECT step, total_steps, loss, accuracy FROM caravan_run_scalar WHERE run_name = ? "
                + "ORDER BY step", (rs, row) -> new TrainingProgress(rs.getInt("step"), rs.getInt("total_steps"),
                rs.getDouble("loss"), rs.getDouble("accuracy")), name);
    }

    private static String write(Map<String, String> settings) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(settings));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("settings are strings, always written as JSON", e);
        }
    }

    private static Map<String, String> read(String settings) {
        try {
            return settings == null ? Map.of() : JSON.readValue(settings, SETTINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the settings of a waiting run are not the JSON Caravan wrote: " + settings, e);
        }
    }

    private static String truncate(String message) {
        return message == null || message.length() <= 4000 ? message : message.substring(0, 3997) + "...";
    }

    private static Run map(ResultSet rs, int row) throws SQLException {
        return new Run(rs.getString("run_name"), rs.getString("model"), rs.getString("snapshot"),
                rs.getObject("job_instance_id", Long.class), rs.getObject("job_execution_id", Long.class),
                rs.getString("status"), rs.getString("outcome"), rs.getString("message"),
                rs.getObject("model_version", Long.class), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("ended_at")),
                Run.trigger(rs.getString("origin")));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
