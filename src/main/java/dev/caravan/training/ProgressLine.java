package dev.caravan.training;

import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The machine-readable lines a trainer prints among its log lines, one JSON object after a marker:
 * <pre>CARAVAN_PROGRESS {"step":100,"totalSteps":1000,"loss":0.31,"accuracy":0.92}</pre>
 * Anything else on stdout is for people and is ignored by {@link #parse}.
 */
final class ProgressLine {

    static final String MARKER = "CARAVAN_PROGRESS ";

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ProgressLine() {
    }

    static String format(TrainingProgress progress) {
        try {
            return MARKER + JSON.writeValueAsString(progress);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write progress " + progress + " as JSON", e);
        }
    }

    /** The progress on {@code line}, or empty when the line is not a progress line. */
    static Optional<TrainingProgress> parse(String line) {
        if (!line.startsWith(MARKER)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(line.substring(MARKER.length()), TrainingProgress.class));
        } catch (JsonProcessingException e) {
            // A line cut short by a crash mid-write: the trainer's exit status reports the crash itself.
            return Optional.empty();
        }
    }
}
