package dev.caravan.evaluation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.caravan.database.Database;

/** Each run's evaluation and its gate's verdict, durable from the evaluate step on; a retried step overwrites it. */
@Repository
public class EvaluationStore {

    /** What the gate made of an evaluation: passed or not, the minimum it asked for, and why. */
    public record GateVerdict(boolean passed, double threshold, String reason) {
    }

    /** A run's evaluation as the API gives it. */
    public record RunEvaluation(String run, String metric, double accuracy, GateVerdict gate, List<String> labels,
                                int[][] confusion, List<Evaluation.Misclassified> misclassified, Instant at) {
    }

    /** The parts of an evaluation kept as one JSON document. */
    private record Details(List<String> labels, int[][] confusion, List<Evaluation.Misclassified> misclassified) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcTemplate jdbc;
    private final String upsert;

    public EvaluationStore(JdbcTemplate jdbc, Database database) {
        this.jdbc = jdbc;
        this.upsert = database.upsert("caravan_run_evaluation", List.of("run_name"),
                List.of("metric", "metric_value", "passed", "threshold", "reason", "details", "created_at"), List.of());
    }

    public void save(String run, Evaluation evaluation, GateVerdict gate) {
        jdbc.update(upsert, run, evaluation.metric(), evaluation.value(), gate.passed(), gate.threshold(),
                truncate(gate.reason()), write(new Details(evaluation.labels(), evaluation.confusion(),
                        evaluation.misclassified())), Timestamp.from(Instant.now()));
    }

    public Optional<RunEvaluation> find(String run) {
        return jdbc.query("SELECT run_name, metric, metric_value, passed, threshold, reason, details, created_at "
                + "FROM caravan_run_evaluation WHERE run_name = ?", EvaluationStore::map, run).stream().findFirst();
    }

    private static RunEvaluation map(ResultSet rs, int row) throws SQLException {
        Details details = read(rs.getString("details"));
        return new RunEvaluation(rs.getString("run_name"), rs.getString("metric"), rs.getDouble("metric_value"),
                new GateVerdict(rs.getBoolean("passed"), rs.getDouble("threshold"), rs.getString("reason")),
                details.labels(), details.confusion(), details.misclassified(),
                rs.getTimestamp("created_at").toInstant());
    }

    private static String write(Details details) {
        try {
            return JSON.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an evaluation is numbers and strings, always written as JSON", e);
        }
    }

    private static Details read(String details) {
        try {
            return JSON.readValue(details, Details.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an evaluation's details are not the JSON Caravan wrote: " + e.getMessage(), e);
        }
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 4000 ? text : text.substring(0, 3997) + "...";
    }
}
