package dev.caravan.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.FileSystemResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.caravan.database.Database;
import dev.caravan.pipeline.RunStore;
import dev.caravan.testutil.TestDatabases;

/**
 * A state change Caravan has answered is on disk, even when the process is killed the next instant (kill -9 runs no
 * shutdown hook, as {@code Runtime.halt} does not). H2 by default keeps the last half second of commits in memory.
 */
class DurableCommitsTest {

    @TempDir
    Path home;

    @Test
    void aRunRecordedWithTheShippedDatabaseUrlSurvivesAKillTheInstantAfter() throws Exception {
        String url = shippedUrl().replace("${caravan.home}", home.toString());

        recordThenHalt(url, "mnist-1111111111");

        assertThat(statusOf(url, "mnist-1111111111")).isEqualTo("QUEUED");
    }

    @Test
    void aDatabaseUrlOfTheUsersOwnIsDurableToo() throws Exception {
        String url = "jdbc:h2:file:" + home.resolve("db/own");

        recordThenHalt(url, "mnist-2222222222");

        assertThat(statusOf(url, "mnist-2222222222")).isEqualTo("QUEUED");
    }

    private static String shippedUrl() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new FileSystemResource("config/application.yaml"));
        return Objects.requireNonNull(yaml.getObject()).getProperty("spring.datasource.url");
    }

    /** Starts a JVM that creates the schema as Caravan does, records a run, and halts at once. */
    private static void recordThenHalt(String url, String run) throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RecordThenHalt.class.getName(), url, run)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(9);
        assertThat(output).contains("recorded " + run);
    }

    private static String statusOf(String url, String run) {
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, "caravan", "");
        List<String> status = new JdbcTemplate(dataSource)
                .queryForList("SELECT status FROM caravan_run WHERE run_name = ?", String.class, run);
        new JdbcTemplate(dataSource).execute("SHUTDOWN");
        return status.isEmpty() ? "lost" : status.get(0);
    }

    /** The child: Caravan's migrations, then one run recorded through {@link RunStore}, then a halt. */
    static final class RecordThenHalt {

        public static void main(String[] args) throws Exception {
            DriverManagerDataSource dataSource = new DriverManagerDataSource(args[0], "caravan", "");
            TestDatabases.migrated(dataSource);
            new RunStore(new JdbcTemplate(dataSource), Database.H2).queued(args[1], "mnist", "snapshot", Map.of(), "test");
            System.out.println("recorded " + args[1]);
            System.out.flush();
            Runtime.getRuntime().halt(9);
        }
    }
}
