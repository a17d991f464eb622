package dev.caravan.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.cli.CaravanCommand;
import dev.caravan.pipeline.RunStore;
import dev.caravan.schedule.FireRecord.Outcome;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.snapshot.SnapshotStore;
import picocli.CommandLine;

/**
 * Schedules live in Quartz's tables in Caravan's H2 file: one created through the API is still there after a
 * restart on the same home, and fires, once per fire time. Its fires find the data unchanged since a completed run,
 * so they are recorded as skipped and start no training.
 */
class SchedulesAcrossRestartsTest {

    private static final String EVERY_SECOND = """
            {"name": "every-second", "cron": "* * * * * ?", "timeZone": "Europe/Berlin", "concurrencyPolicy": "Forbid",
             "startingDeadline": "PT1H", "parameters": {"trainSteps": "300"}}""";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aScheduleCreatedThroughTheApiIsStoredInQuartzSurvivesARestartAndFires() throws Exception {
        Path home = CaravanTestProperties.newHome();
        try {
            try (CaravanInstance caravan = CaravanInstance.start(home)) {
                // given: a completed run on the data there now
                completedRunOnTheDataThereNow(caravan);

                // when
                HttpResponse<String> created = send(caravan, home, "POST", "/api/schedules", EVERY_SECOND);

                // then: Quartz's JDBC store has it, and the API's errors name what is wrong
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                assertThat(created.headers().firstValue("Location")).hasValue("/api/schedules/every-second");
                assertThat(jdbc(caravan).queryForList("SELECT CRON_EXPRESSION FROM QRTZ_CRON_TRIGGERS "
                        + "WHERE TRIGGER_NAME = 'every-second'", String.class)).containsExactly("* * * * * ?");
                assertProblems(caravan, home);
            }

            Instant restarted = Instant.now();
            try (CaravanInstance caravan = CaravanInstance.start(home)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> firesSince(caravan, restarted).size() >= 2);

                List<FireRecord> fires = firesSince(caravan, restarted);
                assertThat(fires).extracting(FireRecord::outcome).contains(Outcome.SKIPPED).doesNotContain(Outcome.FIRED);
                assertThat(fires).filteredOn(fire -> fire.outcome() == Outcome.SKIPPED)
                        .allSatisfy(fire -> assertThat(fire.reason()).contains("no new data: snapshot"));
                assertThat(jdbc(caravan).queryForObject("SELECT COUNT(*) - COUNT(DISTINCT scheduled_at) "
                        + "FROM caravan_schedule_fire", Integer.class)).as("fires for the same time").isZero();
                assertThat(caravan.runs()).hasSize(1);
                String shown = send(caravan, home, "GET", "/api/schedules/every-second", null).body();
                assertThat(shown).contains("\"timeZone\":\"Europe/Berlin\"", "\"concurrencyPolicy\":\"Forbid\"",
                        "\"startingDeadline\":\"PT1H\"", "\"trainSteps\":\"300\"", "\"nextFireTimes\":[\"");
                theCliListsCreatesAndDeletes(caravan, home);
            }
        } finally {
            FileSystemUtils.deleteRecursively(home.toFile());
        }
    }

    private void assertProblems(CaravanInstance caravan, Path home) {
        HttpResponse<String> duplicate = send(caravan, home, "POST", "/api/schedules", EVERY_SECOND);
        HttpResponse<String> badCron = send(caravan, home, "POST", "/api/schedules",
                "{\"name\": \"broken\", \"cron\": \"0 0 2 * *\"}");
        HttpResponse<String> badZone = send(caravan, home, "POST", "/api/schedules",
                "{\"name\": \"broken\", \"cron\": \"0 0 2 * * ?\", \"timeZone\": \"Mars/Olympus\"}");
        HttpResponse<String> unknown = send(caravan, home, "GET", "/api/schedules/weekly", null);

        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.body()).contains("a schedule named 'every-second' exists already");
        assertThat(badCron.statusCode()).isEqualTo(400);
        assertThat(badCron.body()).contains("\"field\":\"cron\"", "has 5 fields, as Unix cron does");
        assertThat(badZone.statusCode()).isEqualTo(400);
        assertThat(badZone.body()).contains("\"field\":\"timeZone\"", "'Mars/Olympus' is not a time zone");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no schedule named 'weekly'");
    }

    private void theCliListsCreatesAndDeletes(CaravanInstance caravan, Path home) {
        String created = cli(caravan, home, "schedule", "create", "nightly", "--cron", "0 0 2 * * ?",
                "--time-zone", "Europe/Berlin", "--policy", "Forbid");
        assertThat(created).contains("schedule nightly created: retrains mnist at '0 0 2 * * ?' (Europe/Berlin), "
                + "policy Forbid; next fire ", " 02:00:00 CE");
        assertThat(cli(caravan, home, "schedule", "list")).contains("NAME", "NEXT FIRE", "every-second", "nightly",
                "SKIPPED");
        assertThat(cli(caravan, home, "schedule", "list", "-o", "json")).contains("\"name\" : \"nightly\"");
        assertThat(cli(caravan, home, "schedule", "get", "every-second")).contains("next fires:", "SKIPPED",
                "no new data");

        assertThat(cli(caravan, home, "schedule", "delete", "every-second")).contains("schedule every-second deleted");
        assertThat(cli(caravan, home, "schedule", "delete", "every-second")).contains("no schedule named 'every-second'");
        assertThat(jdbc(caravan).queryForList("SELECT TRIGGER_NAME FROM QRTZ_TRIGGERS", String.class))
                .containsExactly("nightly");
    }

    private static void completedRunOnTheDataThereNow(CaravanInstance caravan) {
        String snapshot = caravan.bean(SnapshotStore.class)
                .freeze(caravan.bean(PipelineCatalog.class).resolve("mnist")).hash();
        RunStore runs = caravan.bean(RunStore.class);
        runs.started("mnist-0000000001", "mnist", snapshot, 1, 1);
        runs.ended("mnist-0000000001", "COMPLETED", "PROMOTED", "promote: version 1");
    }

    private static List<FireRecord> firesSince(CaravanInstance caravan, Instant since) {
        return caravan.bean(FireHistory.class).recent("every-second", 100).stream()
                .filter(fire -> fire.firedAt().isAfter(since)).toList();
    }

    private static JdbcTemplate jdbc(CaravanInstance caravan) {
        return caravan.bean(JdbcTemplate.class);
    }

    private HttpResponse<String> send(CaravanInstance caravan, Path home, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(caravan) + path))
                .header("Authorization", "Bearer " + token(home)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String cli(CaravanInstance caravan, Path home, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintWriter writer = new PrintWriter(bytes, true);
        CommandLine command = CaravanCommand.commandLine();
        command.setOut(writer);
        command.setErr(writer);
        command.execute(Stream.concat(Stream.of(args), Stream.of("--server=" + url(caravan), "--token=" + token(home)))
                .toArray(String[]::new));
        return bytes.toString();
    }

    private static String url(CaravanInstance caravan) {
        return "http://127.0.0.1:" + caravan.bean(Environment.class).getProperty("local.server.port");
    }

    private static String token(Path home) {
        try {
            return Files.readString(home.resolve("api-token")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
