package dev.caravan.schedule;

import java.time.Clock;

import org.quartz.Scheduler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.caravan.definition.PipelineCatalog;

/** Schedules and the firer their Quartz job uses, on the system clock (tests give them their own). */
@Configuration(proxyBeanMethods = false)
class ScheduleConfiguration {

    @Bean
    ScheduleFirer scheduleFirer(Retrains retrains) {
        return new ScheduleFirer(retrains, Clock.systemUTC());
    }

    @Bean
    Schedules schedules(Scheduler scheduler, FireHistory history, PipelineCatalog pipelines) {
        return new Schedules(scheduler, history, new ScheduleValidation(pipelines), Clock.systemUTC());
    }
}
