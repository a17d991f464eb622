package dev.caravan.cli;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/** Short human forms of ages and durations, as kubectl and argo print them: 45s, 3m12s, 2h5m, 4d. */
final class Durations {

    private Durations() {
    }

    static String age(JsonNode since, Instant now) {
        return since.isNull() || since.isMissingNode() ? "-" : shortForm(Duration.between(Instant.parse(since.asText()), now));
    }

    static String between(JsonNode start, JsonNode end, Instant now) {
        if (start.isNull() || start.isMissingNode()) {
            return "-";
        }
        Instant to = end.isNull() || end.isMissingNode() ? now : Instant.parse(end.asText());
        return shortForm(Duration.between(Instant.parse(start.asText()), to));
    }

    static String shortForm(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + (seconds % 60 > 0 ? seconds % 60 + "s" : "");
        }
        if (seconds < 86_400) {
            return seconds / 3600 + "h" + (seconds % 3600 / 60 > 0 ? seconds % 3600 / 60 + "m" : "");
        }
        return seconds / 86_400 + "d";
    }

    static String oneLine(String text, int max) {
        String line = text.replace('\n', ' ');
        return line.length() <= max ? line : line.substring(0, max - 3) + "...";
    }
}
