package dev.caravan.cli;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code caravan list}: the runs, newest first. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists runs with their status, age and duration.",
        footer = {"", "Examples:", "  ./caravan list", "  ./caravan list --status failed --since PT24H -o json"})
class ListCommand extends ApiCommand {

    @Option(names = "--limit", defaultValue = "50", description = "At most this many runs (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--status", description = "Only runs with this status or outcome: running, completed, failed, promoted, rejected.")
    String status;

    @Option(names = {"-m", "--model"}, description = "Only runs of this model.")
    String model;

    @Option(names = "--since", description = "Only runs created within this ISO-8601 duration, such as PT24H.")
    Duration since;

    @Override
    int run(ApiClient api, PrintWriter out) {
        StringBuilder query = new StringBuilder("api/runs?limit=" + limit);
        if (status != null) {
            query.append("&status=").append(encode("running".equalsIgnoreCase(status) ? "STARTED" : status));
        }
        if (model != null) {
            query.append("&model=").append(encode(model));
        }
        if (since != null) {
            query.append("&since=").append(encode(since.toString()));
        }
        JsonNode runs = api.get(query.toString());
        if (output.printed(out, runs)) {
            return 0;
        }
        Instant now = Instant.now();
        out.printf("%-22s %-10s %-9s %-8s %-9s %s%n", "NAME", "STATUS", "OUTCOME", "AGE", "DURATION", "MESSAGE");
        for (JsonNode run : runs) {
            out.printf("%-22s %-10s %-9s %-8s %-9s %s%n", run.path("name").asText(), run.path("status").asText(),
                    run.path("outcome").asText(""), Durations.age(run.path("createdAt"), now),
                    Durations.between(run.path("startedAt"), run.path("endedAt"), now),
                    Durations.oneLine(run.path("message").asText(""), 100));
        }
        out.flush();
        return 0;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
