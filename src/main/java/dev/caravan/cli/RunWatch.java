package dev.caravan.cli;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Follows a run through the API until it ends, printing each step as it ends and the training progress. */
class RunWatch {

    private final ApiClient api;
    private final PrintWriter out;
    private final Map<String, String> printed = new HashMap<>();

    RunWatch(ApiClient api, PrintWriter out) {
        this.api = api;
        this.out = out;
    }

    /** Returns 0 when the run was promoted, 1 when it was rejected or failed. */
    int follow(String run) throws InterruptedException {
        int lastStep = -1;
        while (true) {
            JsonNode view = lookUp(run);
            if (view != null) {
                for (JsonNode step : view.path("steps")) {
                    String status = step.path("status").asText();
                    if (!status.equals(printed.put(step.path("name").asText(), status)) && !"STARTED".equals(status)) {
                        out.printf("  %-13s %-10s %s%n", step.path("name").asText(), status, step.path("message").asText(""));
                    }
                }
                JsonNode scalars = api.get("api/runs/" + run + "/scalars");
                JsonNode last = scalars.size() == 0 ? null : scalars.get(scalars.size() - 1);
                if (last != null && last.path("step").asInt() != lastStep && view.path("run").path("endedAt").isNull()) {
                    lastStep = last.path("step").asInt();
                    out.printf(Locale.ROOT, "  train         step %d  loss %.4f  accuracy %.4f%n", lastStep,
                            last.path("loss").asDouble(), last.path("accuracy").asDouble());
                }
                out.flush();
                JsonNode ended = view.path("run");
                if (!ended.path("endedAt").isNull() && !ended.path("endedAt").isMissingNode()) {
                    out.printf("%s: %s %s %s%n", run, ended.path("status").asText(), ended.path("outcome").asText(""),
                            ended.path("message").asText(""));
                    out.flush();
                    return "PROMOTED".equals(ended.path("outcome").asText()) ? 0 : 1;
                }
            }
            Thread.sleep(1000);
        }
    }

    /** The run, or null while its job has not recorded it yet. */
    private JsonNode lookUp(String run) {
        try {
            return api.get("api/runs/" + run);
        } catch (ApiClient.CliException e) {
            if (e.exitCode() == 2) {
                return null;
            }
            throw e;
        }
    }
}
