package dev.caravan.cli;

import java.io.PrintWriter;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code caravan pipelines}: the pipelines, each with its source, trainer and serving version. */
@Command(name = "pipelines", mixinStandardHelpOptions = true,
        description = "Lists the pipelines (config/pipelines/*.yaml) with their source, trainer and serving version.",
        footer = {"", "Examples:", "  ./caravan pipelines", "  ./caravan pipelines mnist -o yaml"})
class PipelinesCommand extends ApiCommand {

    @Parameters(paramLabel = "NAME", arity = "0..1", description = "A pipeline (or its model): show it whole.")
    String name;

    @Override
    int run(ApiClient api, PrintWriter out) {
        JsonNode answer = api.get(name == null ? "api/pipelines" : "api/pipelines/" + name);
        if (name != null && output.format == Output.Format.table) {
            // One pipeline is shown whole: its definition reads best as the YAML it was written in.
            output.format = Output.Format.yaml;
        }
        if (output.printed(out, answer)) {
            return 0;
        }
        out.printf("%-16s %-16s %-36s %-26s %s%n", "PIPELINE", "MODEL", "SOURCE", "TRAINER", "SERVING");
        answer.forEach(p -> out.printf("%-16s %-16s %-36s %-26s %s%n", p.path("name").asText(),
                p.path("model").asText(), p.path("source").asText() + p.path("marker").asText(),
                Durations.oneLine(p.path("trainer").asText(), 26), p.path("servingVersion").asText("-")));
        out.flush();
        return 0;
    }
}
