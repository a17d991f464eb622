package dev.caravan.schedule;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.caravan.schedule.FireRecord.Outcome;

/** Every fire of every schedule and what it did, in H2 beside the runs. */
@Repository
class FireHistory {

    private final JdbcTemplate jdbc;

    FireHistory(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void record(FireRecord fire) {
        jdbc.update("INSERT INTO caravan_schedule_fire (schedule_name, model, scheduled_at, fired_at, outcome, run_name, "
                + "reason) VALUES (?, ?, ?, ?, ?, ?, ?)", fire.schedule(), fire.model(),
                Timestamp.from(fire.scheduledAt()), Timestamp.from(fire.firedAt()), fire.outcome().name(), fire.run(),
                truncate(fire.reason()));
    }

    /** The schedule's latest fires, newest first. */
    List<FireRecord> recent(String schedule, int limit) {
        return jdbc.query("SELECT schedule_name, model, scheduled_at, fired_at, outcome, run_name, reason "
                + "FROM caravan_schedule_fire WHERE schedule_name = ? ORDER BY id DESC LIMIT ?",
                FireHistory::map, schedule, limit);
    }

    /** Drops the history of a deleted schedule, so a new schedule of the same name starts clean. */
    void forget(String schedule) {
        jdbc.update("DELETE FROM caravan_schedule_fire WHERE schedule_name = ?", schedule);
    }

    private static String truncate(String reason) {
        return reason == null || reason.length() <= 4000 ? reason : reason.substring(0, 3997) + "...";
    }

    private static FireRecord map(ResultSet rs, int row) throws SQLException {
        return new FireRecord(rs.getString("schedule_name"), rs.getString("model"),
                rs.getTimestamp("scheduled_at").toInstant(), rs.getTimestamp("fired_at").toInstant(),
                Outcome.valueOf(rs.getString("outcome")), rs.getString("run_name"), rs.getString("reason"));
    }
}
