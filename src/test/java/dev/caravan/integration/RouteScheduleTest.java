package dev.caravan.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.caravan.pipeline.RunStore;
import dev.caravan.testutil.CaravanTestProperties;

/**
 * routes/examples/scheduled-retrain.camel.yaml, loaded beside the shipped routes: a quartz: route fires on Caravan's own scheduler - the same bean
 * and JDBC job store that {@code caravan schedule} uses - and each fire asks for a retrain on direct:caravan-retrain.
 */
@SpringBootTest
class RouteScheduleTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CaravanTestProperties.register(registry);
        registry.add("camel.main.routes-include-pattern",
                () -> "file:" + System.getProperty("user.dir") + "/routes/*.yaml,file:" + System.getProperty("user.dir")
                        + "/routes/examples/scheduled-retrain.camel.yaml");
        registry.add("caravan.integration.route-schedule.cron", () -> "0/2+*+*+*+*+?");
    }

    @Autowired
    Scheduler scheduler;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RunStore runs;

    @Test
    void aQuartzRouteFiresOnTheSchedulesSchedulerAndAsksForARetrain() throws Exception {
        TriggerKey key = TriggerKey.triggerKey("example-scheduled-retrain", "caravan-routes");

        await().atMost(Duration.ofSeconds(30)).until(() -> !runs.list(null, "mnist", null, 10).isEmpty());

        Trigger trigger = scheduler.getTrigger(key);
        assertThat(trigger).as("the route's trigger in Caravan's scheduler").isNotNull();
        assertThat(scheduler.getSchedulerName()).isEqualTo("caravan");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_GROUP = ? AND TRIGGER_NAME = ?",
                Integer.class, key.getGroup(), key.getName())).as("kept in Caravan's database").isEqualTo(1);
        assertThat(runs.list(null, "mnist", null, 10).get(0).model()).isEqualTo("mnist");
    }
}
