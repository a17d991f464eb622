package dev.caravan.system;

import javax.sql.DataSource;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.apache.camel.processor.aggregate.jdbc.PostgresAggregationRepository;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

import dev.caravan.database.Database;

/**
 * What the trigger routes remember in the database, so that a restart neither triggers an upload twice nor forgets
 * one: the objects seen, and the uploads a quiet-period route waits on.
 */
@Configuration(proxyBeanMethods = false)
class IdempotencyConfiguration {

    /** Object events seen by the trigger routes (key, ETag and time), so each upload is seen once. */
    @Bean
    JdbcMessageIdRepository seenObjects(DataSource dataSource) {
        return repository(dataSource, "caravan-objects");
    }

    /**
     * The uploads a quiet-period route has seen and waits on until their prefix is quiet. After a restart the wait
     * starts again; an upload whose run could not be asked for (S3 down) is tried again every 5 s until it is
     * (camel-sql recovery), each failure logged.
     */
    @Bean
    JdbcAggregationRepository quietUploads(DataSource dataSource, PlatformTransactionManager transactions,
            Database database) {
        // On PostgreSQL a failed insert ends the transaction it is in; camel-sql's PostgreSQL repository never tries one.
        JdbcAggregationRepository repository = switch (database) {
            case H2 -> new JdbcAggregationRepository(transactions, "caravan_quiet_uploads", dataSource);
            case POSTGRESQL -> new PostgresAggregationRepository(transactions, "caravan_quiet_uploads", dataSource);
        };
        repository.setUseRecovery(true);
        return repository;
    }

    /**
     * Keeps the first exchange of an upload while more objects come: which object came last does not matter, and
     * the kept exchange carries the version {@link JdbcAggregationRepository} checks when it stores it again.
     */
    @Bean
    AggregationStrategy firstOfUpload() {
        return (kept, next) -> kept == null ? next : kept;
    }

    private static JdbcMessageIdRepository repository(DataSource dataSource, String processorName) {
        JdbcMessageIdRepository repository = new JdbcMessageIdRepository(dataSource, processorName);
        repository.setCreateTableIfNotExists(false);
        return repository;
    }
}
