package dev.caravan.leader;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;

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
    DefaultLockRepository leaderLocks(DataSource dataSource, LeaderSettings settings,
                                      @Value("${caravan.home}") Path home) {
        DefaultLockRepository repository = new DefaultLockRepository(dataSource, replicaId(settings, home));
        repository.setTimeToLive((int) settings.timeToLive().toMillis());
        return repository;
    }

    @Bean
    @Conditional(DatabaseElects.class)
    Leadership databaseLeadership(DefaultLockRepository leaderLocks, LeaderSettings settings,
                                  @Value("${caravan.home}") Path home) {
        JdbcLockRegistry registry = new JdbcLockRegistry(leaderLocks);
        registry.setIdleBetweenTries(settings.retryPeriod());
        return new DatabaseLeadership(registry, replicaId(settings, home), settings);
    }

    /** The configured id, or one that names this host and home: unique among replicas, stable across restarts. */
    static String replicaId(LeaderSettings settings, Path home) {
        if (settings.id() != null && !settings.id().isBlank()) {
            return settings.id();
        }
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        String place = host + ":" + home.toAbsolutePath().normalize();
        return UUID.nameUUIDFromBytes(place.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
