package dev.caravan.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import dev.caravan.evaluation.EvaluationStore;
import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunStore;
import dev.caravan.registry.ModelHistory;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.schedule.ScheduleRequest;
import dev.caravan.schedule.Schedules;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;
import dev.caravan.testutil.Postgres;
import dev.caravan.training.TrainingProgress;

/** Caravan with its state in a real PostgreSQL: the same migrations, runs, registry and schedules as on H2. */
class PostgresStateTest {

    private final S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");

    @Test
    void aRunItsVersionAndASchedulePersistInPostgresqlAcrossARestart() {
        String url = Postgres.newDatabase();
        Path home = CaravanTestProperties.newHome();
        try {
            // given: a run promoted, with Caravan's state in PostgreSQL, and a schedule
            Run run;
            try (CaravanInstance caravan = start(home, url)) {
                MnistUploads.uploadAll(caravan.store(), data);
                MnistUploads.marker(caravan.store(), data);
                run = caravan.awaitEndedRuns(1).get(0);
                assertThat(run.outcome()).as(run.message()).isEqualTo("PROMOTED");
                caravan.bean(Schedules.class).create(new ScheduleRequest("nightly", "mnist", "0 0 2 * * ?", null,
                        null, null, Map.of()));
            }

            // when: Caravan starts again on the same database
            try (CaravanInstance caravan = start(home, url)) {
                // then: the schema is Flyway's, and the run, its curve, its version and the schedule are all there
                JdbcTemplate jdbc = caravan.bean(JdbcTemplate.class);
                assertThat(jdbc.queryForList("SELECT version FROM flyway_schema_history WHERE success ORDER BY "
                        + "installed_rank", String.class)).containsExactly("1", "2", "3", "4", "5", "6");
                assertThat(caravan.runs()).extracting(Run::name, Run::outcome).containsExactly(
                        tuple(run.name(), "PROMOTED"));
                assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM caravan_run_scalar WHERE run_name = ?",
                        Integer.class, run.name())).isPositive();
                assertThat(caravan.bean(RunStore.class).scalars(run.name())).extracting(TrainingProgress::totalSteps)
                        .containsOnly(150);
                assertThat(caravan.bean(ModelRegistry.class).serving("mnist")).map(ModelVersion::runName)
                        .contains(run.name());
                assertThat(caravan.bean(Schedules.class).get("nightly").cron()).isEqualTo("0 0 2 * * ?");
                assertThat(caravan.bean(ModelHistory.class).of("mnist")).extracting(ModelHistory.Change::action)
                        .containsExactly(ModelHistory.Change.PROMOTED);
                assertThat(caravan.bean(EvaluationStore.class).find(run.name())).hasValueSatisfying(evaluation ->
                        assertThat(evaluation.confusion()).hasDimensions(10, 10));
            }
        } finally {
            FileSystemUtils.deleteRecursively(home.toFile());
        }
    }

    @Test
    void caravansSharingADatabaseFireEachScheduleOnceWhileOneOfThemRestarts() {
        String url = Postgres.newDatabase();
        Path first = CaravanTestProperties.newHome();
        Path second = CaravanTestProperties.newHome();
        try (CaravanInstance one = start(first, url)) {
            // given: a schedule that fires every second, seen by two Caravans' schedulers
            JdbcTemplate jdbc = one.bean(JdbcTemplate.class);
            try (CaravanInstance two = start(second, url)) {
                two.bean(Schedules.class).create(new ScheduleRequest("every-second", "mnist", "* * * * * ?", null, null,
                        null, Map.of()));
                awaitFires(jdbc, 4);
            }

            // when: the second stops and starts again while the first goes on firing
            try (CaravanInstance two = start(second, url)) {
                awaitFires(jdbc, 10);
                one.bean(Schedules.class).delete("every-second");
            }

            // then: each scheduled time fired once between them
            List<Map<String, Object>> twice = jdbc.queryForList("SELECT scheduled_at, COUNT(*) AS fires FROM "
                    + "caravan_schedule_fire WHERE schedule_name = 'every-second' GROUP BY scheduled_at HAVING COUNT(*) > 1");
            assertThat(twice).as("scheduled times fired more than once").isEmpty();
        } finally {
            FileSystemUtils.deleteRecursively(first.toFile());
            FileSystemUtils.deleteRecursively(second.toFile());
        }
    }

    private static void awaitFires(JdbcTemplate jdbc, int count) {
        await().atMost(Duration.ofMinutes(1)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM caravan_schedule_fire WHERE schedule_name = 'every-second'", Integer.class) >= count);
    }

    private static CaravanInstance start(Path home, String url) {
        List<String> arguments = new ArrayList<>(List.of(Postgres.arguments(url)));
        arguments.addAll(List.of("--caravan.pipelines.mnist.trainer.parameters.trainSteps=150",
                "--caravan.pipelines.mnist.gate.min=0.85"));
        return CaravanInstance.start(home, arguments.toArray(String[]::new));
    }
}
