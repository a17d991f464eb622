package dev.caravan.cli;

import java.io.PrintWriter;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code caravan get RUN}: a run's steps with their status, duration and message. */
@Command(name = "get", mixinStandardHelpOptions = true, description = "Shows a run: its steps, parameters and model version.",
        footer = {"", "Example:", "  ./caravan get mnist-3f2a9c0d1e"})
class GetCommand extends ApiCommand {

    @Parameters(paramLabel = "RUN", description = "The run's name, as caravan list shows it.")
    String name;

    @Override
    int run(ApiClient api, PrintWriter out) {
        JsonNode view = api.get("api/runs/" + name);
        if (output.printed(out, view)) {
            return 0;
        }
        JsonNode run = view.path("run");
        Instant now = Instant.now();
        out.printf("Name:          %s%n", run.path("name").asText());
        out.printf("Model:         %s%s%n", run.path("model").asText(),
                run.path("modelVersion").isNull() ? "" : " version " + run.path("modelVersion").asText());
        out.printf("Status:        %s %s%n", run.path("status").asText(), run.path("outcome").asText(""));
        out.printf("Snapshot:      %s%n", run.path("snapshot").asText());
        out.printf("Age:           %s%n", Durations.age(run.path("createdAt"), now));
        out.printf("Duration:      %s%n", Durations.between(run.path("startedAt"), run.path("endedAt"), now));
        if (!run.path("message").asText("").isEmpty()) {
            out.printf("Message:       %s%n", run.path("message").asText());
        }
        out.println("Parameters:");
        view.path("parameters").fields().forEachRemaining(p -> out.printf("  %s: %s%n", p.getKey(), p.getValue().asText()));
        out.println();
        out.printf("%-14s %-10s %-9s %s%n", "STEP", "STATUS", "DURATION", "MESSAGE");
        for (JsonNode step : view.path("steps")) {
            out.printf("%-14s %-10s %-9s %s%n", step.path("name").asText(), step.path("status").asText(),
                    Durations.between(step.path("startedAt"), step.path("endedAt"), now),
                    step.path("message").asText(""));
        }
        out.flush();
        return 0;
    }
}
