package dev.caravan.cli;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.caravan.training.TrainingProgress;

/** Follows a run through the API until it ends: each step as it ends, and a progress bar while it trains. */
class RunWatch {

    private final ApiClient api;
    private final ProgressBar progress;
    private final Map<String, String> printed = new HashMap<>();

    RunWatch(ApiClient api, PrintWriter out) {
        this.api = api;
        this.progress = new ProgressBar(out);
    }

    /** Waits for the run to end and returns its outcome: PROMOTED, REJECTED, FAILED or STOPPED. */
    String follow(String run) throws InterruptedException {
        int lastStep = -1;
        while (true) {
            JsonNode view = lookUp(run);
            if (view != null) {
                boolean training = false;
                for (JsonNode step : view.path("steps")) {
                    String name = step.path("name").asText();
                    String status = step.path("status").asText();
                    training = "train".equals(name) && "STARTED".equals(status);
                    if (!status.equals(printed.put(name, status)) && !"STARTED".equals(status)) {
                        progress.line(String.format("  %-13s %-10s %s", name, status, step.path("message").asText("")));
                    }
                }
                JsonNode ended = view.path("run");
                if (!ended.path("endedAt").isNull() && !ended.path("endedAt").isMissingNode()) {
                    progress.line(String.format("%s: %s %s %s", run, ended.path("status").asText(),
                            ended.path("outcome").asText(""), ended.path("message").asText("")));
                    return ended.path("outcome").asText(ended.path("status").asText());
                }
                if (training) {
                    lastStep = showTraining(run, lastStep);
                }
            }
            Thread.sleep(1000);
        }
    }

    private int showTraining(String run, int lastStep) {
        JsonNode scalars = api.get("api/runs/" + run + "/scalars");
        if (scalars.size() == 0) {
            return lastStep;
        }
        JsonNode last = scalars.get(scalars.size() - 1);
        int step = last.path("step").asInt();
        if (step != lastStep) {
            // A total the trainer did not report is null (0 from an older Caravan): unknown, never this step.
            progress.show(new TrainingProgress(step, Math.max(0, last.path("totalSteps").asInt(0)),
                    last.path("loss").asDouble(), last.path("accuracy").asDouble()));
        }
        return step;
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
