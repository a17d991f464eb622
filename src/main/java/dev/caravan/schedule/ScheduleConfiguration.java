package dev.caravan.schedule;

import java.time.Clock;

import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.caravan.definition.PipelineCatalog;

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
