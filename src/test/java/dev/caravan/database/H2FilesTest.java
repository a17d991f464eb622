package dev.caravan.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.core.io.FileSystemResource;

/** A thread interrupted while it writes must not close Caravan's H2 database for everyone else. */
class H2FilesTest {

    @TempDir
    Path home;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:h2:file:/var/caravan/db/caravan;WRITE_DELAY=0 | jdbc:h2:async:/var/caravan/db/caravan;WRITE_DELAY=0",
            "jdbc:h2:FILE:./db/caravan                          | jdbc:h2:async:./db/caravan",
            "jdbc:h2:/var/caravan/db/caravan                    | jdbc:h2:async:/var/caravan/db/caravan",
            "jdbc:h2:~/caravan                                  | jdbc:h2:async:~/caravan",
            "jdbc:h2:./db/caravan                               | jdbc:h2:async:./db/caravan",
            "jdbc:h2:C:/caravan/db                              | jdbc:h2:async:C:/caravan/db",
            "jdbc:h2:async:/var/caravan/db/caravan              | jdbc:h2:async:/var/caravan/db/caravan",
            "jdbc:h2:nio:/var/caravan/db/caravan                | jdbc:h2:nio:/var/caravan/db/caravan",
            "jdbc:h2:mem:caravan;DB_CLOSE_DELAY=-1              | jdbc:h2:mem:caravan;DB_CLOSE_DELAY=-1",
            "jdbc:h2:tcp://db:9092/caravan                      | jdbc:h2:tcp://db:9092/caravan",
            "jdbc:postgresql://db:5432/caravan                  | jdbc:postgresql://db:5432/caravan",
    })
    void theDefaultFileSystemBecomesAsyncAndEveryOtherUrlStays(String url, String opened) {
        assertThat(H2Files.interruptSafe(url)).isEqualTo(opened);
    }

    @Test
    void aUrlOfTheUsersOwnIsOpenedThroughTheAsyncFileSystem() {
        // given
        DataSourceProperties properties = new DataSourceProperties();
        properties.setUrl("jdbc:h2:file:" + home.resolve("own"));

        // when
        new H2Files().postProcessAfterInitialization(properties, "dataSourceProperties");

        // then
        assertThat(properties.getUrl()).isEqualTo("jdbc:h2:async:" + home.resolve("own"));
    }

    @Test
    void anInterruptedWriteLeavesTheShippedDatabaseOpenAndTheInterruptSet() throws Exception {
        // given
        String url = shippedUrl().replace("${caravan.home}", home.toString());
        try (Connection connection = DriverManager.getConnection(url, "caravan", "")) {
            execute(connection, "CREATE TABLE note(id INT PRIMARY KEY)");

            // when: a thread writes with its interrupt flag set, as one that is being stopped does
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                try (Connection own = DriverManager.getConnection(url, "caravan", "")) {
                    Thread.currentThread().interrupt();
                    execute(own, "INSERT INTO note VALUES (1)");
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            writer.start();
            writer.join();

            // then: its write committed, it still knows it was interrupted, and everyone else can go on
            assertThat(failure.get()).isNull();
            assertThat(stillInterrupted).isTrue();
            execute(connection, "INSERT INTO note VALUES (2)");
            try (var rows = connection.createStatement().executeQuery("SELECT COUNT(*) FROM note")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(2);
            }
        }
    }

    @Test
    void aDatabaseMadeWithTheDefaultFileSystemOpensThroughTheAsyncOne() throws SQLException {
        // given: a home from before, whose database H2's default file system made
        String before = "jdbc:h2:file:" + home.resolve("db/caravan");
        try (Connection connection = DriverManager.getConnection(before, "caravan", "")) {
            execute(connection, "CREATE TABLE note(id INT PRIMARY KEY)");
            execute(connection, "INSERT INTO note VALUES (7)");
        }

        // when, then
        try (Connection connection = DriverManager.getConnection(H2Files.interruptSafe(before), "caravan", "");
             var rows = connection.createStatement().executeQuery("SELECT id FROM note")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(7);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String shippedUrl() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new FileSystemResource("config/application.yaml"));
        return Objects.requireNonNull(yaml.getObject()).getProperty("spring.datasource.url");
    }
}
