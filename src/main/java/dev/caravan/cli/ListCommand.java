package dev.caravan.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code caravan list}: the runs, newest first. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists runs with their status, age and duration.",
        footer = {"", "Example:", "  ./caravan list --limit 20"})
class ListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = "--limit", defaultValue = "50", description = "At most this many runs (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            JsonNode runs = server.client().get("api/runs?limit=" + limit);
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
        } catch (ApiClient.CliException e) {
            spec.commandLine().getErr().println("caravan list: " + e.getMessage());
            return e.exitCode();
        }
    }
}
