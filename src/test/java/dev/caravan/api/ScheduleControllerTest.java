package dev.caravan.api;

import static dev.caravan.api.testutil.ApiCalls.withToken;
import static org.hamcrest.Matchers.startsWith;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.quartz.SchedulerException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import dev.caravan.api.testutil.ApiCalls;
import dev.caravan.schedule.ScheduleErrors;
import dev.caravan.schedule.ScheduleRequest;
import dev.caravan.schedule.ScheduleView;
import dev.caravan.schedule.Schedules;

/** Retrain schedules over HTTP: create, show, list and delete, with each bad field named. */
@WebMvcTest(controllers = ScheduleController.class,
        properties = {"caravan.api.token=" + ApiCalls.TOKEN, "logging.file.name="})
@Import(ApiToken.class)
@ConfigurationPropertiesScan("dev.caravan")
class ScheduleControllerTest {

    private static final String NIGHTLY = """
            {"name": "nightly", "model": "mnist", "cron": "0 0 2 * * ?", "timeZone": "Europe/Berlin",
             "concurrencyPolicy": "Forbid", "startingDeadline": "PT2H", "parameters": {"trainSteps": "2000"}}""";

    @Autowired
    MockMvc mvc;

    @MockitoBean
    Schedules schedules;

    @Test
    void aCreatedScheduleIsAtItsOwnAddressWithItsNextFireTimes() throws Exception {
        given(schedules.create(any())).willReturn(nightly());

        mvc.perform(post("/api/schedules").with(withToken()).contentType(MediaType.APPLICATION_JSON).content(NIGHTLY))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/schedules/nightly"))
                .andExpect(jsonPath("$.name").value("nightly"))
                .andExpect(jsonPath("$.state").value("NORMAL"))
                .andExpect(jsonPath("$.nextFireTimes[0]").value("2025-01-03T01:00:00Z"));

        then(schedules).should().create(new ScheduleRequest("nightly", "mnist", "0 0 2 * * ?", "Europe/Berlin",
                "Forbid", "PT2H", Map.of("trainSteps", "2000")));
    }

    @Test
    void aBadFieldIsABadRequestThatNamesTheFieldAndTheReason() throws Exception {
        given(schedules.create(any())).willThrow(new ScheduleErrors.Invalid("cron",
                "'0 0 25 * * ?' is not a Quartz cron expression: hour 25 is out of range (0-23)"));

        mvc.perform(post("/api/schedules").with(withToken()).contentType(MediaType.APPLICATION_JSON).content(NIGHTLY))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Invalid schedule"))
                .andExpect(jsonPath("$.field").value("cron"))
                .andExpect(jsonPath("$.reason").value("'0 0 25 * * ?' is not a Quartz cron expression: hour 25 is out "
                        + "of range (0-23)"))
                .andExpect(jsonPath("$.detail").value("cron: '0 0 25 * * ?' is not a Quartz cron expression: hour 25 "
                        + "is out of range (0-23)"));
    }

    @Test
    void aNameThatIsTakenIsAConflictThatSaysWhatToDo() throws Exception {
        given(schedules.create(any())).willThrow(new ScheduleErrors.Duplicate("nightly"));

        mvc.perform(post("/api/schedules").with(withToken()).contentType(MediaType.APPLICATION_JSON).content(NIGHTLY))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value("a schedule named 'nightly' exists already; delete it first "
                        + "(caravan schedule delete nightly) or choose another name"));
    }

    @Test
    void aScheduleStoreThatFailsIsAServerErrorThatSaysWhere() throws Exception {
        given(schedules.list()).willThrow(new ScheduleErrors.StoreFailed("list the schedules",
                new SchedulerException("Table \"QRTZ_TRIGGERS\" not found")));

        mvc.perform(get("/api/schedules"))
                .andExpect(status().isInternalServerError())
                .andExpect(jsonPath("$.title").value("Schedule store failed"))
                .andExpect(jsonPath("$.detail").value("could not list the schedules in the schedule store (Quartz tables"
                        + " in Caravan's database): Table \"QRTZ_TRIGGERS\" not found"));
    }

    @Test
    void anUnknownScheduleIsNotFoundWhetherShownOrDeleted() throws Exception {
        given(schedules.get("weekly")).willThrow(new ScheduleErrors.NotFound("weekly"));
        willThrow(new ScheduleErrors.NotFound("weekly")).given(schedules).delete("weekly");

        mvc.perform(get("/api/schedules/weekly"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value("no schedule named 'weekly'; list the schedules with: caravan "
                        + "schedule list"));
        mvc.perform(delete("/api/schedules/weekly").with(withToken()))
                .andExpect(status().isNotFound());
    }

    @Test
    void aDeletedScheduleAnswersNoContent() throws Exception {
        mvc.perform(delete("/api/schedules/nightly").with(withToken()))
                .andExpect(status().isNoContent());

        then(schedules).should().delete("nightly");
    }

    @Test
    void theListShowsEverySchedule() throws Exception {
        given(schedules.list()).willReturn(List.of(nightly()));

        mvc.perform(get("/api/schedules"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].name").value("nightly"))
                .andExpect(jsonPath("$[0].cron").value("0 0 2 * * ?"));
    }

    @Test
    void creatingAndDeletingNeedTheToken() throws Exception {
        mvc.perform(post("/api/schedules").contentType(MediaType.APPLICATION_JSON).content(NIGHTLY))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.detail").value(startsWith(
                        "this call needs the header Authorization: Bearer <token>")));
        mvc.perform(delete("/api/schedules/nightly"))
                .andExpect(status().isUnauthorized());

        verifyNoInteractions(schedules);
    }

    private static ScheduleView nightly() {
        return new ScheduleView("nightly", "mnist", "0 0 2 * * ?", "Europe/Berlin", "Forbid", "PT2H",
                Map.of("trainSteps", "2000"), Instant.parse("2025-01-02T10:00:00Z"), "NORMAL",
                List.of(Instant.parse("2025-01-03T01:00:00Z"), Instant.parse("2025-01-04T01:00:00Z")), List.of());
    }
}
