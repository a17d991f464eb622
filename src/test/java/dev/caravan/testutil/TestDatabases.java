package dev.caravan.testutil;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

import dev.caravan.database.CaravanSchema;

/** Caravan's schema on a database a test made itself, as Caravan applies it at start. */
public final class TestDatabases {

    private TestDatabases() {
    }

    /** Applies Caravan's migrations to {@code dataSource} and returns it. */
    public static <T extends DataSource> T migrated(T dataSource) {
        CaravanSchema.configure(Flyway.configure().dataSource(dataSource).baselineOnMigrate(true).baselineVersion("0"))
                .load().migrate();
        return dataSource;
    }
}
