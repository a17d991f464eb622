package dev.caravan.leader;

import java.nio.file.Path;
import java.util.Set;
import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;

import dev.caravan.database.Database;

/**
 * Leadership wiring for every runtime: the leader-only routes follow {@link Leadership}, and, unless the Kubernetes
 * Lease elects ({@link DatabaseElects}), the database elects through Spring Integration's JDBC lock registry.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LeaderSettings.class)
public class LeaderConfiguration {

    /** Hands the leader-only route policy to Camel before it starts its routes. */
    @Bean
    CamelContextConfiguration leaderOnlyRoutes(Leadership leadership, LeaderSettings settings) {
        LeadershipClusterService service = new LeadershipClusterService(leadership);
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                try {
                    camel.addService(service);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot put routes under leadership: " + e.getMessage(), e);
                }
                camel.addRoutePolicyFactory(LeaderRoutes.leaderOnly(service, Set.copyOf(settings.routes())));
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
                service.announce();
            }
        };
    }

    @Bean
    @Conditional(DatabaseElects.class)
    DefaultLockRepository leaderLocks(DataSource dataSource, Database database, LeaderSettings settings,
                                      @Value("${caravan.home}") Path home) {
        DefaultLockRepository repository = new DefaultLockRepository(dataSource, settings.replicaId(home));
        repository.setTimeToLive((int) settings.timeToLive().toMillis());
        if (database == Database.POSTGRESQL) {
            // A follower's attempt inserts the lock row the leader holds: on PostgreSQL a duplicate key is an error
            // in the server's log every retry, so the insert skips it instead (Spring Integration JDBC lock docs).
            repository.setInsertQuery(repository.getInsertQuery() + " ON CONFLICT DO NOTHING");
        }
        return repository;
    }

    @Bean
    @Conditional(DatabaseElects.class)
    Leadership databaseLeadership(DefaultLockRepository leaderLocks, LeaderSettings settings,
                                  @Value("${caravan.home}") Path home) {
        JdbcLockRegistry registry = new JdbcLockRegistry(leaderLocks);
        registry.setIdleBetweenTries(settings.retryPeriod());
        return new DatabaseLeadership(registry, settings.replicaId(home), settings);
    }
}
