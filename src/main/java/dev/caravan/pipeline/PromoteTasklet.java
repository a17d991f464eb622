package dev.caravan.pipeline;

import java.util.Optional;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.context.ApplicationEventPublisher;

import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.serving.ServingBackend;

/** Serves the run's model version, remembering the one it replaces so the smoke test can roll back to it. */
class PromoteTasklet implements Tasklet {

    private final ServingBackend serving;
    private final ModelRegistry registry;
    private final ApplicationEventPublisher events;

    PromoteTasklet(ServingBackend serving, ModelRegistry registry, ApplicationEventPublisher events) {
        this.serving = serving;
        this.registry = registry;
        this.events = events;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        Optional<ModelVersion> previous = registry.serving(run.model()).filter(v -> v.version() != run.version());
        previous.ifPresent(v -> run.previousVersion(v.version()));
        serving.serve(run.model(), run.version(), run.exportDir());
        registry.promote(run.model(), run.version(), "promoted by run " + run.runName());
        events.publishEvent(new RunEvent.ModelPromoted(run.runName(), run.model(), run.version(),
                previous.map(ModelVersion::version).orElse(null)));
        StepMessages.say(chunk, "version " + run.version() + " of " + run.model() + " is serving"
                + previous.map(v -> " (was version " + v.version() + ")").orElse(""));
        return RepeatStatus.FINISHED;
    }
}
