package dev.caravan.database;

import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Caravan's schema is one set of Flyway migrations for H2 and PostgreSQL alike: SQL under
 * {@code db/migration/} for Caravan's own tables, and Java migrations for the tables of Spring Batch and Quartz, from
 * the scripts those libraries ship. A database made before these migrations is taken as version 0 and brought up to
 * date.
 */
public final class CaravanSchema {

    private CaravanSchema() {
    }

    /** Adds what Caravan's schema needs beyond {@code db/migration/} to a Flyway configuration. */
    public static FluentConfiguration configure(FluentConfiguration flyway) {
        return flyway.javaMigrations(
                        new LibrarySchema("2", "spring batch", "BATCH_JOB_INSTANCE",
                                database -> "org/springframework/batch/core/schema-" + database.batchPlatform() + ".sql"),
                        new LibrarySchema("3", "quartz", "QRTZ_TRIGGERS",
                                database -> "org/quartz/impl/jdbcjobstore/tables_" + database.quartzPlatform() + ".sql"))
                .callbacks(new H2WritesThrough());
    }

    /**
     * On H2, every commit reaches the database file before it returns: H2's default keeps the last 0.5 s of commits
     * in memory, so a kill -9 lost runs that had been answered as queued or started. The setting is stored in the
     * database, so it holds whatever H2 URL a user configures.
     */
    private static final class H2WritesThrough implements Callback {

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.AFTER_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            try (Statement statement = context.getConnection().createStatement()) {
                if (Database.of(context.getConnection()) == Database.H2) {
                    statement.execute("SET WRITE_DELAY 0");
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot make H2 write every commit through: " + e.getMessage(), e);
            }
        }

        @Override
        public String getCallbackName() {
            return "h2 writes through";
        }
    }
}
