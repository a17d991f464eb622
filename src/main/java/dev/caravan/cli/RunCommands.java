package dev.caravan.cli;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that start and stop runs: submit, retry, resubmit, stop; and logs. */
final class RunCommands {

    private RunCommands() {
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Retrains on the data in the bucket now.",
            footer = {"", "Examples:", "  ./caravan submit", "  ./caravan submit -p trainSteps=2000 --watch",
                    "  ./caravan submit -m fashion"})
    static class Submit extends ApiCommand {

        @Option(names = {"-m", "--pipeline"}, paramLabel = "PIPELINE",
                description = "The pipeline (or its model) to retrain; none for the only one (see: caravan pipelines).")
        String pipeline;

        @Option(names = "-p", paramLabel = "name=value",
                description = "A trainer parameter of the pipeline, such as trainSteps, batchSize, learningRate, learningRateSchedule, workers,"
                        + " ps, syncReplicas (the Kubeflow example's tf-worker and model-train-steps work too).")
        Map<String, String> parameters = new LinkedHashMap<>();

        @Option(names = "--watch", description = "Follow the run until it ends; exit 0 only if it was promoted.")
        boolean watch;

        @Override
        int run(ApiClient api, PrintWriter out) throws InterruptedException {
            return report(api, out, api.post("api/runs", Output.submission(pipeline, parameters)), watch, output);
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true, description = "Runs a failed run again from the step that failed.",
            footer = {"", "Example:", "  ./caravan retry mnist-3f2a9c0d1e --watch"})
    static class Retry extends ApiCommand {

        @Parameters(paramLabel = "RUN")
        String run;

        @Option(names = "--watch", description = "Follow the run until it ends.")
        boolean watch;

        @Override
        int run(ApiClient api, PrintWriter out) throws InterruptedException {
            return report(api, out, api.post("api/runs/" + run + "/retry", null), watch, output);
        }
    }

    @Command(name = "resubmit", mixinStandardHelpOptions = true,
            description = "Trains again on a run's data snapshot, with settings changed.",
            footer = {"", "Example:", "  ./caravan resubmit mnist-3f2a9c0d1e -p trainSteps=3000"})
    static class Resubmit extends ApiCommand {

        @Parameters(paramLabel = "RUN")
        String run;

        @Option(names = "-p", paramLabel = "name=value", description = "A training setting to change.")
        Map<String, String> parameters = new LinkedHashMap<>();

        @Option(names = "--watch", description = "Follow the run until it ends.")
        boolean watch;

        @Override
        int run(ApiClient api, PrintWriter out) throws InterruptedException {
            return report(api, out, api.post("api/runs/" + run + "/resubmit", Output.parameters(parameters)), watch, output);
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = {"Stops a run: a waiting one does not start; a running one ends STOPPED, its training killed.",
                    "A run that is promoting finishes (it smoke-tests what it promoted). Retry goes on where it stopped."},
            footer = {"", "Examples:", "  ./caravan stop mnist-3f2a9c0d1e", "  ./caravan stop mnist-3f2a9c0d1e --wait"})
    static class Stop extends ApiCommand {

        @Parameters(paramLabel = "RUN")
        String run;

        @Option(names = "--wait", description = "Wait until the run has ended; exit 0 only if it ended STOPPED.")
        boolean wait;

        @Override
        int run(ApiClient api, PrintWriter out) throws InterruptedException {
            JsonNode stop = api.post("api/runs/" + run + "/stop", null);
            if (!output.printed(out, stop)) {
                out.println(stop.path("message").asText());
                out.flush();
            }
            if (!wait || "DROPPED".equals(stop.path("state").asText())) {
                return 0;
            }
            return "STOPPED".equals(new RunWatch(api, out).follow(run)) ? 0 : 1;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Prints the trainer's log of a run.",
            footer = {"", "Examples:", "  ./caravan logs mnist-3f2a9c0d1e", "  ./caravan logs -f mnist-3f2a9c0d1e",
                    "  ./caravan logs --replica worker-1 mnist-3f2a9c0d1e"})
    static class Logs extends ApiCommand {

        @Parameters(paramLabel = "RUN")
        String run;

        @Option(names = {"-f", "--follow"}, description = "Keep printing what the trainer writes until the run ends.")
        boolean follow;

        @Option(names = "--replica", paramLabel = "REPLICA", description = "One replica of a distributed training:"
                + " chief (the default), worker-<i> or ps-<i>, e.g. worker-1.")
        String replica;

        @Override
        int run(ApiClient api, PrintWriter out) {
            api.stream("api/runs/" + run + "/logs?follow=" + follow
                    + (replica == null ? "" : "&replica=" + URLEncoder.encode(replica, StandardCharsets.UTF_8)), out);
            return 0;
        }
    }

    private static int report(ApiClient api, PrintWriter out, JsonNode submission, boolean watch, Output output)
            throws InterruptedException {
        if (output.printed(out, submission) && !watch) {
            return 0;
        }
        String run = submission.path("run").asText();
        if (output.format == Output.Format.table) {
            out.printf("%s %s%n", run, switch (submission.path("admission").asText()) {
                case "QUEUED" -> "is queued: the leading Caravan starts it in its turn, after any run of "
                        + submission.path("model").asText() + " that is going";
                case "RUNNING" -> "is running already";
                default -> "started";
            });
            out.flush();
        }
        return !watch ? 0 : "PROMOTED".equals(new RunWatch(api, out).follow(run)) ? 0 : 1;
    }
}
