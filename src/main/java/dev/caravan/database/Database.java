package dev.caravan.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import javax.sql.DataSource;

/**
 * The databases Caravan keeps its state in: H2, embedded and the default, and PostgreSQL, shared by replicas. Where
 * their SQL differs, the difference is here.
 */
public enum Database {

    H2("h2", "h2"),
    POSTGRESQL("postgresql", "postgres");

    private final String batchPlatform;
    private final String quartzPlatform;

    Database(String batchPlatform, String quartzPlatform) {
        this.batchPlatform = batchPlatform;
        this.quartzPlatform = quartzPlatform;
    }

    /**
     * The database behind a connection, from its product name.
     *
     * @throws IllegalStateException for any other product, naming it and the two Caravan supports
     */
    public static Database of(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName();
        return switch (product.toLowerCase(Locale.ROOT)) {
            case "h2" -> H2;
            case "postgresql" -> POSTGRESQL;
            default -> throw new IllegalStateException("spring.datasource.url points at " + product + ", which Caravan "
                    + "cannot keep its state in: point it at PostgreSQL (jdbc:postgresql://...) or H2 (jdbc:h2:...)");
        };
    }

    /** The database behind a data source; opens one connection to ask. */
    public static Database of(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return of(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the database at spring.datasource.url: " + e.getMessage(), e);
        }
    }

    /** The name Spring Batch gives this database in its schema scripts ({@code schema-<platform>.sql}). */
    public String batchPlatform() {
        return batchPlatform;
    }

    /** The name Quartz gives this database in its schema scripts ({@code tables_<platform>.sql}). */
    public String quartzPlatform() {
        return quartzPlatform;
    }

    /**
     * An insert that updates the row with the same key instead when there is one. Its parameters are {@code keys},
     * then {@code updated}, then {@code insertedOnly}: the last are written by the insert and kept by the update (a
     * creation time, say). H2 takes SQL:2008 {@code MERGE}; PostgreSQL takes {@code INSERT ... ON CONFLICT}, which
     * every version from 9.5 has.
     */
    public String upsert(String table, List<String> keys, List<String> updated, List<String> insertedOnly) {
        List<String> columns = new ArrayList<>(keys);
        columns.addAll(updated);
        columns.addAll(insertedOnly);
        String names = String.join(", ", columns);
        String parameters = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        return switch (this) {
            case H2 -> "MERGE INTO " + table + " t USING (VALUES (" + parameters + ")) s (" + names + ") ON "
                    + join(keys, " AND ", "t.%1$s = s.%1$s")
                    + (updated.isEmpty() ? "" : " WHEN MATCHED THEN UPDATE SET " + join(updated, ", ", "%1$s = s.%1$s"))
                    + " WHEN NOT MATCHED THEN INSERT (" + names + ") VALUES (" + join(columns, ", ", "s.%1$s") + ")";
            case POSTGRESQL -> "INSERT INTO " + table + " (" + names + ") VALUES (" + parameters + ") ON CONFLICT ("
                    + String.join(", ", keys) + ") DO "
                    + (updated.isEmpty() ? "NOTHING" : "UPDATE SET " + join(updated, ", ", "%1$s = EXCLUDED.%1$s"));
        };
    }

    private static String join(List<String> columns, String separator, String format) {
        return columns.stream().map(c -> format.formatted(c)).collect(Collectors.joining(separator));
    }
}
