package dev.caravan.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ScriptUtils;

/**
 * A migration that creates a library's tables with the schema script the library ships for the database at hand
 * (Spring Batch's {@code schema-<platform>.sql}, Quartz's {@code tables_<platform>.sql}), so the tables are exactly
 * the ones that library version expects and no copy of its DDL is kept here. A database whose tables exist already,
 * made before Caravan's migrations, is left as it is.
 */
final class LibrarySchema implements JavaMigration {

    private static final Pattern COMMIT = Pattern.compile("(?im)^\\s*COMMIT\\s*;\\s*$");

    private final MigrationVersion version;
    private final String description;
    private final String table;
    private final Function<Database, String> script;

    /**
     * @param table  a table of the library's, whose presence means the schema exists
     * @param script the script's class-path location for a database
     */
    LibrarySchema(String version, String description, String table, Function<Database, String> script) {
        this.version = MigrationVersion.fromVersion(version);
        this.description = description;
        this.table = table;
        this.script = script;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection connection = context.getConnection();
        if (!exists(connection, table)) {
            String location = script.apply(Database.of(connection));
            ScriptUtils.executeSqlScript(connection, new ByteArrayResource(withoutCommit(location)));
        }
    }

    /**
     * The script's statements without the COMMIT Quartz's scripts end with, which would end Flyway's transaction
     * before it records the migration.
     */
    private static byte[] withoutCommit(String location) {
        try (InputStream in = new ClassPathResource(location).getInputStream()) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return COMMIT.matcher(text).replaceAll("").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the schema script " + location + ": " + e.getMessage(), e);
        }
    }

    private static boolean exists(Connection connection, String table) throws SQLException {
        for (String name : new String[] {table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT)}) {
            try (ResultSet tables = connection.getMetaData().getTables(connection.getCatalog(), connection.getSchema(),
                    name, new String[] {"TABLE"})) {
                if (tables.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public MigrationVersion getVersion() {
        return version;
    }

    @Override
    public String getDescription() {
        return description;
    }

    @Override
    public Integer getChecksum() {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }
}
