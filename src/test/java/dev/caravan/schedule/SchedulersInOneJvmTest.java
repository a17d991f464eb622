package dev.caravan.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import dev.caravan.leader.LeaderSettings;

import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;

/**
 * Two Caravans in one JVM, each with its own database, keep their schedules apart: Quartz registers data sources
 * JVM-wide by scheduler name, and before {@link ContextDataSourceJobStore} the first Caravan's scheduler fired the
 * second one's schedule in its own context, where the run store knew nothing of it.
 */
class SchedulersInOneJvmTest {

    @Test
    void eachCaravansSchedulerFiresOnlyTheSchedulesInItsOwnDatabase() {
        Path firstHome = CaravanTestProperties.newHome();
        Path secondHome = CaravanTestProperties.newHome();
        try (CaravanInstance first = CaravanInstance.start(firstHome);
             CaravanInstance second = CaravanInstance.start(secondHome)) {
            // given: a schedule that fires every second, in the second Caravan only
            second.bean(Schedules.class).create(new ScheduleRequest("every-second", "mnist", "* * * * * ?", "UTC",
                    "Forbid", null, Map.of()));

            // when
            await().atMost(Duration.ofSeconds(30)).until(() -> second.bean(FireHistory.class)
                    .recent("every-second", 10).size() >= 3);

            // then: each database has seen only its own Caravan's scheduler check in, past a check-in interval
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() ->
                    checkedIn(first).equals(List.of(first.bean(LeaderSettings.class).replicaId(firstHome)))
                            && checkedIn(second).equals(List.of(second.bean(LeaderSettings.class).replicaId(secondHome))));
            assertThat(first.bean(FireHistory.class).recent("every-second", 10)).isEmpty();
        } finally {
            FileSystemUtils.deleteRecursively(firstHome.toFile());
            FileSystemUtils.deleteRecursively(secondHome.toFile());
        }
    }

    private static List<String> checkedIn(CaravanInstance caravan) {
        return caravan.bean(JdbcTemplate.class).queryForList("SELECT INSTANCE_NAME FROM QRTZ_SCHEDULER_STATE",
                String.class);
    }
}
