package dev.caravan.schedule;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.jdbcjobstore.PostgreSQLDelegate;
import org.quartz.impl.jdbcjobstore.StdJDBCDelegate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.quartz.QuartzProperties;
import org.springframework.boot.autoconfigure.quartz.SchedulerFactoryBeanCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.caravan.database.Database;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.leader.LeaderSettings;

/**
 * Schedules and the firer their Quartz job uses, on the system clock (tests give them their own). One Quartz
 * scheduler serves both {@code caravan schedule} and the {@code quartz:} endpoints of routes (camel-quartz takes the
 * only {@link Scheduler} bean); it starts once Camel has, since a route's job looks the Camel context up when it fires.
 */
@Configuration(proxyBeanMethods = false)
class ScheduleConfiguration {

    @Bean
    ScheduleFirer scheduleFirer(Retrains retrains) {
        return new ScheduleFirer(retrains, Clock.systemUTC());
    }

    /**
     * Quartz reads its binary columns through a delegate made for the database: PostgreSQL's {@code bytea} needs
     * Quartz's {@code PostgreSQLDelegate} (Quartz tables_postgres.sql); H2 takes the standard one. In the clustered
     * job store each Caravan is the instance its leader id names.
     */
    @Bean
    SchedulerFactoryBeanCustomizer quartzStore(QuartzProperties quartz, Database database, LeaderSettings replica,
                                               @Value("${caravan.home}") Path home) {
        return factory -> {
            Properties properties = new Properties();
            properties.putAll(quartz.getProperties());
            properties.setProperty("org.quartz.jobStore.driverDelegateClass", switch (database) {
                case H2 -> StdJDBCDelegate.class.getName();
                case POSTGRESQL -> PostgreSQLDelegate.class.getName();
            });
            // Stable across restarts: a Caravan that starts again takes back its own fires at once, where a new id
            // would wait out the cluster's failure detection.
            properties.setProperty("org.quartz.scheduler.instanceId", replica.replicaId(home));
            properties.setProperty("org.quartz.jobStore.class", ContextDataSourceJobStore.class.getName());
            factory.setQuartzProperties(properties);
        };
    }

    @Bean
    CamelContextConfiguration startSchedulerAfterCamel(Scheduler scheduler) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
                try {
                    scheduler.start();
                } catch (SchedulerException e) {
                    throw new IllegalStateException("cannot start the Quartz scheduler of the schedules: "
                            + e.getMessage(), e);
                }
            }
        };
    }

    @Bean
    Schedules schedules(Scheduler scheduler, FireHistory history, PipelineCatalog pipelines) {
        return new Schedules(scheduler, history, new ScheduleValidation(pipelines), Clock.systemUTC());
    }
}
