package dev.caravan.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Every change of the version a model serves, oldest first: the timeline of which version served when, and who or
 * what changed it. {@link ModelOperations} records each change once it is served and recorded in the registry.
 */
@Repository
public class ModelHistory {

    /** Serving went to {@code version} from {@code fromVersion} (null: none before; {@code version} null: none now). */
    public record Change(Instant at, String action, Long version, Long fromVersion, String run, String by,
                         String reason) {

        public static final String PROMOTED = "promoted";
        public static final String ROLLED_BACK = "rolledBack";
    }

    private final JdbcTemplate jdbc;

    public ModelHistory(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void record(String model, Change change) {
        jdbc.update("INSERT INTO caravan_model_event (model, changed_at, action, version, from_version, run_name, by_whom, "
                + "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", model, Timestamp.from(change.at()), change.action(),
                change.version(), change.fromVersion(), change.run(), truncate(change.by()), truncate(change.reason()));
    }

    /** The model's changes, oldest first. */
    public List<Change> of(String model) {
        return jdbc.query("SELECT changed_at, action, version, from_version, run_name, by_whom, reason "
                + "FROM caravan_model_event WHERE model = ? ORDER BY id", ModelHistory::map, model);
    }

    private static Change map(ResultSet rs, int row) throws SQLException {
        return new Change(rs.getTimestamp("changed_at").toInstant(), rs.getString("action"),
                rs.getObject("version", Long.class), rs.getObject("from_version", Long.class), rs.getString("run_name"),
                rs.getString("by_whom"), rs.getString("reason"));
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 4000 ? text : text.substring(0, 3997) + "...";
    }
}
