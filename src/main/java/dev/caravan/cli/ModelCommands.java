package dev.caravan.cli;

import java.io.PrintWriter;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The commands for models: list them and their versions, promote a version, roll back. */
final class ModelCommands {

    private ModelCommands() {
    }

    @Command(name = "models", mixinStandardHelpOptions = true, description = "Lists models, or one model's versions.",
            footer = {"", "Examples:", "  ./caravan models", "  ./caravan models mnist -o json"})
    static class Models extends ApiCommand {

        @Parameters(paramLabel = "NAME", arity = "0..1", description = "A model: list its versions.")
        String name;

        @Override
        int run(ApiClient api, PrintWriter out) {
            JsonNode answer = api.get(name == null ? "api/models" : "api/models/" + name);
            if (output.printed(out, answer)) {
                return 0;
            }
            if (name == null) {
                out.printf("%-20s %-8s %-9s %s%n", "NAME", "SERVING", "ACCURACY", "VERSIONS");
                answer.forEach(m -> out.printf("%-20s %-8s %-9s %d%n", m.path("name").asText(),
                        m.path("servingVersion").asText("-"), m.path("servingAccuracy").asText("-"), m.path("versions").asInt()));
            } else {
                out.printf("%-8s %-10s %-9s %-18s %-14s %s%n", "VERSION", "STATE", "ACCURACY", "RUN", "SNAPSHOT", "REASON");
                answer.forEach(v -> out.printf("%-8s %-10s %-9s %-18s %-14s %s%n", v.path("version").asText(),
                        v.path("state").asText(), v.path("accuracy").asText("-"), v.path("runName").asText(),
                        v.path("snapshot").asText().substring(0, Math.min(12, v.path("snapshot").asText().length())),
                        Durations.oneLine(v.path("reason").asText(""), 80)));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Serves a given version of a model.",
            footer = {"", "Example:", "  ./caravan promote mnist 3"})
    static class Promote extends ApiCommand {

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "VERSION")
        long version;

        @Override
        int run(ApiClient api, PrintWriter out) {
            JsonNode served = api.post("api/models/" + name + "/versions/" + version + "/promote", null);
            if (!output.printed(out, served)) {
                out.printf("version %s of %s is serving%n", served.path("version").asText(), name);
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Serves again the version of a model that served before the current one.",
            footer = {"", "Example:", "  ./caravan rollback mnist"})
    static class Rollback extends ApiCommand {

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(ApiClient api, PrintWriter out) {
            JsonNode served = api.post("api/models/" + name + "/rollback", null);
            if (!output.printed(out, served)) {
                out.printf("rolled back: version %s of %s is serving%n", served.path("version").asText(), name);
                out.flush();
            }
            return 0;
        }
    }
}
