package dev.caravan.system;

import javax.sql.DataSource;

import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The H2-backed idempotent repository the trigger routes use, so no upload triggers twice, also after a restart. */
@Configuration(proxyBeanMethods = false)
class IdempotencyConfiguration {

    /** Object events seen by the trigger routes (key, ETag and time), so each upload is seen once. */
    @Bean
    JdbcMessageIdRepository seenObjects(DataSource dataSource) {
        return repository(dataSource, "caravan-objects");
    }

    private static JdbcMessageIdRepository repository(DataSource dataSource, String processorName) {
        JdbcMessageIdRepository repository = new JdbcMessageIdRepository(dataSource, processorName);
        repository.setCreateTableIfNotExists(false);
        return repository;
    }
}
