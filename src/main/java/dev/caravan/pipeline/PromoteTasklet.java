package dev.caravan.pipeline;

import java.util.Optional;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.registry.ModelOperations;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;

/** Serves the run's model version, remembering the one it replaces so the smoke test can roll back to it. */
class PromoteTasklet implements Tasklet {

    private final ModelRegistry registry;
    private final ModelOperations operations;

    PromoteTasklet(ModelRegistry registry, ModelOperations operations) {
        this.registry = registry;
        this.operations = operations;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        Optional<ModelVersion> previous = registry.serving(run.model()).filter(v -> v.version() != run.version());
        previous.ifPresent(v -> run.previousVersion(v.version()));
        operations.promote(run.model(), run.version(), "run " + run.runName());
        StepMessages.say(chunk, "version " + run.version() + " of " + run.model() + " is serving"
                + previous.map(v -> " (was version " + v.version() + ")").orElse(""));
        return RepeatStatus.FINISHED;
    }
}
