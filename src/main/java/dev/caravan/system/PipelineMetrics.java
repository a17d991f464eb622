package dev.caravan.system;

import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.caravan.pipeline.RunEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * The pipelines' metrics, exported with the others on {@code /actuator/prometheus}: runs by model, status and
 * outcome and step durations by model. The trigger's lag, from an upload's marker to the run's request, is timed where
 * every trigger path meets ({@code trigger.RetrainTrigger}).
 */
@Component("pipelineMetrics")
public class PipelineMetrics {

    private final MeterRegistry meters;

    PipelineMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * Spring Batch times a running job twice under one name, {@code spring.batch.job.active}: once itself, once
     * through its observation with other tags, which Prometheus refuses with a warning at every run. The first stays.
     */
    @Bean
    static MeterFilter oneActiveJobsTimer() {
        return MeterFilter.deny(id -> id.getName().equals("spring.batch.job.active")
                && id.getTag("spring.batch.job.status") != null);
    }

    @EventListener
    void on(RunEvent event) {
        if (event instanceof RunEvent.RunFinished finished) {
            meters.counter("caravan.runs", "model", finished.model(), "status", finished.status(),
                    "outcome", finished.outcome() == null ? "NONE" : finished.outcome()).increment();
        } else if (event instanceof RunEvent.StepFinished step) {
            meters.timer("caravan.step.duration", "model", step.model(), "step", step.step(), "status", step.status())
                    .record(step.duration());
        } else if (event instanceof RunEvent.Skipped skipped) {
            meters.counter("caravan.runs.skipped", "model", skipped.model()).increment();
        }
    }
}
