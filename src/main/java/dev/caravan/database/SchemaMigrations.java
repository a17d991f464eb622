package dev.caravan.database;

import javax.sql.DataSource;

import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Flyway, as Boot runs it before anything reads the database, applies {@link CaravanSchema} at every start. */
@Configuration(proxyBeanMethods = false)
public class SchemaMigrations {

    /** Every H2 database on disk is opened so that an interrupted thread cannot close it ({@link H2Files}). */
    @Bean
    static H2Files h2Files() {
        return new H2Files();
    }

    @Bean
    FlywayConfigurationCustomizer caravanSchema() {
        return CaravanSchema::configure;
    }

    @Bean
    Database database(DataSource dataSource) {
        return Database.of(dataSource);
    }
}
