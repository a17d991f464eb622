package dev.caravan.database;

import javax.sql.DataSource;

import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Flyway, as Boot runs it before anything reads the database, applies {@link CaravanSchema} at every start. */
@Configuration(proxyBeanMethods = false)
public class SchemaMigrations {

    @Bean
    FlywayConfigurationCustomizer caravanSchema() {
        return CaravanSchema::configure;
    }

    @Bean
    Database database(DataSource dataSource) {
        return Database.of(dataSource);
    }
}
