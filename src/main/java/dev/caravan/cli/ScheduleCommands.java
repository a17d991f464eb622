package dev.caravan.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code caravan schedule}: retrains on a cron schedule; its subcommands list, create, show and delete schedules. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = "Retrains on a cron schedule: list, create, get and delete schedules.",
        subcommands = {ScheduleCommands.ListSchedules.class, ScheduleCommands.CreateSchedule.class,
                ScheduleCommands.GetSchedule.class, ScheduleCommands.DeleteSchedule.class},
        footer = {"", "Examples:",
                "  ./caravan schedule create nightly --cron \"0 0 2 * * ?\" \\",
                "      --time-zone Europe/Berlin --policy Forbid",
                "  ./caravan schedule list", "  ./caravan schedule get nightly", "  ./caravan schedule delete nightly"})
class ScheduleCommands implements Runnable {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists schedules with their next fire and what their last fire did.",
            footer = {"", "Examples:", "  ./caravan schedule list", "  ./caravan schedule list -o yaml"})
    static class ListSchedules extends ApiCommand {

        @Override
        int run(ApiClient api, PrintWriter out) {
            JsonNode schedules = api.get("api/schedules");
            if (output.printed(out, schedules)) {
                return 0;
            }
            Instant now = Instant.now();
            String row = "%-20s %-8s %-18s %-15s %-8s %-24s %s%n";
            out.printf(row, "NAME", "MODEL", "CRON", "TIME ZONE", "POLICY", "NEXT FIRE", "LAST FIRE");
            for (JsonNode schedule : schedules) {
                JsonNode last = schedule.path("history").path(0);
                String lastFire = last.isMissingNode() ? "-"
                        : last.path("outcome").asText() + " " + Durations.age(last.path("firedAt"), now) + " ago";
                out.printf(row, schedule.path("name").asText(), schedule.path("model").asText(),
                        schedule.path("cron").asText(), schedule.path("timeZone").asText(),
                        schedule.path("concurrencyPolicy").asText(),
                        when(schedule.path("nextFireTimes").path(0), schedule), lastFire);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a schedule that retrains the model on the data in the bucket at each fire.",
            footer = {"",
                    "Cron is Quartz's: second minute hour day-of-month month day-of-week [year], '?' in one day field.",
                    "A fire that finds no new data since the last completed run is skipped and recorded.", "",
                    "Examples:",
                    "  ./caravan schedule create nightly --cron \"0 0 2 * * ?\" \\",
                    "      --time-zone Europe/Berlin --policy Forbid",
                    "  ./caravan schedule create hourly --cron \"0 0 * * * ?\" \\",
                    "      --starting-deadline 15m -p trainSteps=2000"})
    static class CreateSchedule extends ApiCommand {

        @Parameters(paramLabel = "NAME", description = "The schedule's name: lower-case letters, digits and '-'.")
        String name;

        @Option(names = "--cron", required = true, paramLabel = "EXPRESSION",
                description = "When to fire, as a Quartz cron expression.")
        String cron;

        @Option(names = "--time-zone", paramLabel = "ZONE",
                description = "The zone the cron expression is read in (default: UTC).")
        String timeZone;

        @Option(names = "--policy", paramLabel = "Allow|Forbid|Replace",
                description = "While a run is going: Allow (the default; the fire's run waits as the follow-up), "
                        + "Forbid (skip the fire) or Replace (the fire's run replaces the waiting follow-up).")
        String policy;

        @Option(names = "--starting-deadline", paramLabel = "DURATION",
                description = "After downtime, catch up once only if the latest missed fire is at most this old "
                        + "(30m, 2h, PT2H); default: always catch up once.")
        String startingDeadline;

        @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
                description = "The pipeline or model to retrain (default: the only pipeline).")
        String model;

        @Option(names = "-p", paramLabel = "name=value",
                description = "A training setting: trainSteps, batchSize, learningRate, learningRateSchedule, workers, ps, syncReplicas.")
        Map<String, String> parameters = new LinkedHashMap<>();

        @Override
        int run(ApiClient api, PrintWriter out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("model", model);
            body.put("cron", cron);
            body.put("timeZone", timeZone);
            body.put("concurrencyPolicy", policy);
            body.put("startingDeadline", startingDeadline);
            body.put("parameters", parameters);
            JsonNode created = api.post("api/schedules", body);
            if (!output.printed(out, created)) {
                out.printf("schedule %s created: retrains %s at '%s' (%s), policy %s; next fire %s%n",
                        created.path("name").asText(), created.path("model").asText(), created.path("cron").asText(),
                        created.path("timeZone").asText(), created.path("concurrencyPolicy").asText(),
                        when(created.path("nextFireTimes").path(0), created));
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Shows a schedule, its next fire times and what its recent fires did.",
            footer = {"", "Examples:", "  ./caravan schedule get nightly", "  ./caravan schedule get nightly -o json"})
    static class GetSchedule extends ApiCommand {

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(ApiClient api, PrintWriter out) {
            JsonNode schedule = api.get("api/schedules/" + name);
            if (output.printed(out, schedule)) {
                return 0;
            }
            out.printf("%s: retrains %s at '%s' (%s), policy %s, starting deadline %s, parameters %s, %s%n",
                    schedule.path("name").asText(), schedule.path("model").asText(), schedule.path("cron").asText(),
                    schedule.path("timeZone").asText(), schedule.path("concurrencyPolicy").asText(),
                    schedule.path("startingDeadline").asText("none"), schedule.path("parameters"),
                    schedule.path("state").asText());
            out.println("next fires:");
            schedule.path("nextFireTimes").forEach(time -> out.println("  " + when(time, schedule)));
            String row = "%-24s %-9s %-18s %s%n";
            out.printf(row, "FIRED", "OUTCOME", "RUN", "REASON");
            schedule.path("history").forEach(fire -> out.printf(row, when(fire.path("firedAt"), schedule),
                    fire.path("outcome").asText(), fire.path("run").asText("-"),
                    Durations.oneLine(fire.path("reason").asText(""), 120)));
            out.flush();
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Deletes a schedule and its fire history; a run it started goes on.",
            footer = {"", "Example:", "  ./caravan schedule delete nightly"})
    static class DeleteSchedule extends ApiCommand {

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(ApiClient api, PrintWriter out) {
            api.delete("api/schedules/" + name);
            out.printf("schedule %s deleted%n", name);
            out.flush();
            return 0;
        }
    }

    /** An instant of the API's answer in the schedule's own time zone. */
    private static String when(JsonNode instant, JsonNode schedule) {
        if (instant.isMissingNode() || instant.isNull()) {
            return "-";
        }
        return WHEN.format(Instant.parse(instant.asText()).atZone(ZoneId.of(schedule.path("timeZone").asText("UTC"))));
    }
}
