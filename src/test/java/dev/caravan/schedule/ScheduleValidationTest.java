package dev.caravan.schedule;

import dev.caravan.testutil.Pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A create request becomes a schedule, or an error that names the field and says what a valid value looks like. */
class ScheduleValidationTest {

    private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");

    private final ScheduleValidation validation = new ScheduleValidation(Pipelines.catalog(Pipelines.mnist()));

    @Test
    void aFullRequestBecomesTheScheduleAsked() {
        Schedule schedule = validation.schedule(new ScheduleRequest("nightly", "mnist", " 0 0 2 * * ? ", "Europe/Berlin",
                "forbid", "PT2H", Map.of("trainSteps", "2000")), NOW);

        assertThat(schedule).isEqualTo(new Schedule("nightly", "mnist", "0 0 2 * * ?", ZoneId.of("Europe/Berlin"),
                ConcurrencyPolicy.FORBID, Duration.ofHours(2), Map.of("trainSteps", "2000"), NOW));
    }

    @Test
    void onlyANameAndACronAreRequired() {
        Schedule schedule = validation.schedule(new ScheduleRequest("hourly", null, "0 0 * * * ?", null, null, "30m",
                null), NOW);

        assertThat(schedule.model()).isEqualTo("mnist");
        assertThat(schedule.timeZone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(schedule.concurrencyPolicy()).isEqualTo(ConcurrencyPolicy.ALLOW);
        assertThat(schedule.startingDeadline()).isEqualTo(Duration.ofMinutes(30));
        assertThat(schedule.parameters()).isEmpty();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            name              | Nightly_Run      | 'Nightly_Run' must be at most 63 lower-case letters, digits and '-'
            model             | fashion          | there is no pipeline or model named 'fashion'; the pipelines are mnist
            cron              | 0 2 * * *        | '0 2 * * *' has 5 fields, as Unix cron does; Quartz cron has 6 or 7 fields
            cron              | 0 0 25 * * ?     | '0 0 25 * * ?' is not valid (
            cron              | 0 0 2 * * ? 2001 | '0 0 2 * * ? 2001' never fires after now
            timeZone          | Mars/Olympus     | 'Mars/Olympus' is not a time zone; use a region such as Europe/Berlin
            concurrencyPolicy | Sometimes        | 'Sometimes' is not a policy; use Allow, Forbid or Replace
            startingDeadline  | soon             | 'soon' is not a duration; write it as 30m, 2h or PT2H
            startingDeadline  | 0s               | '0s' is under 1s, so no fire could start
            startingDeadline  | 3600             | '3600' has no unit; write it as 3600s, 30m, 2h or PT2H
            parameters        | epochs=3         | unknown parameter 'epochs'; this pipeline's trainer takes [trainSteps, batchSize, learningRate, learningRateSchedule, workers, ps, syncReplicas]
            parameters        | trainSteps=-5    | parameter trainSteps=-5 is out of range; give a whole number from 1 to 1000000
            """)
    void aWrongFieldIsNamedWithTheReason(String field, String value, String reason) {
        assertThatThrownBy(() -> validation.schedule(requestWith(field, value), NOW))
                .isInstanceOfSatisfying(ScheduleErrors.Invalid.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.reason()).contains(reason);
                    assertThat(e.getMessage()).startsWith(field + ": ");
                });
    }

    @Test
    void aMissingCronSaysWhatOneLooksLike() {
        assertThatThrownBy(() -> validation.schedule(new ScheduleRequest("nightly", null, null, null, null, null, null), NOW))
                .hasMessage("cron: a schedule needs a cron expression; Quartz cron has 6 or 7 fields: second minute "
                        + "hour day-of-month month day-of-week [year], with '?' in one of the day fields, "
                        + "e.g. '0 0 2 * * ?' for 02:00 every day");
    }

    private static ScheduleRequest requestWith(String field, String value) {
        return new ScheduleRequest(
                field.equals("name") ? value : "nightly",
                field.equals("model") ? value : null,
                field.equals("cron") ? value : "0 0 2 * * ?",
                field.equals("timeZone") ? value : "UTC",
                field.equals("concurrencyPolicy") ? value : "Allow",
                field.equals("startingDeadline") ? value : null,
                field.equals("parameters") ? Map.of(value.split("=")[0], value.split("=")[1]) : Map.of());
    }
}
