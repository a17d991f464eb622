package dev.caravan.pipeline;

import java.util.Optional;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.registry.ModelOperations;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;

/**
 * Serves the run's model version, remembering the one it replaces so the smoke test can roll back to it. A version
 * trained on data older than the serving version's is not promoted: the run ends with exit status SUPERSEDED and the
 * version stays a candidate that a person may still promote.
 */
class PromoteTasklet implements Tasklet {

    static final String SUPERSEDED = "SUPERSEDED";

    private final ModelRegistry registry;
    private final ModelOperations operations;

    PromoteTasklet(ModelRegistry registry, ModelOperations operations) {
        this.registry = registry;
        this.operations = operations;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        Optional<ModelVersion> newer = registry.servingOnNewerData(run.model(), run.snapshot());
        if (newer.isPresent()) {
            String reason = "version " + newer.get().version() + " serves, trained on newer data (snapshot "
                    + brief(newer.get().snapshot()) + " came after " + brief(run.snapshot()) + "), so version "
                    + run.version() + " is kept as a candidate; 'caravan promote " + run.model() + " " + run.version()
                    + "' serves it anyway";
            registry.holdBack(run.model(), run.version(), reason);
            StepMessages.say(chunk, "not promoted: " + reason);
            contribution.setExitStatus(new ExitStatus(SUPERSEDED, reason));
            return RepeatStatus.FINISHED;
        }
        Optional<ModelVersion> previous = registry.serving(run.model()).filter(v -> v.version() != run.version());
        previous.ifPresent(v -> run.previousVersion(v.version()));
        operations.promote(run.model(), run.version(), "run " + run.runName());
        StepMessages.say(chunk, "version " + run.version() + " of " + run.model() + " is serving"
                + previous.map(v -> " (was version " + v.version() + ")").orElse(""));
        return RepeatStatus.FINISHED;
    }

    private static String brief(String snapshot) {
        return snapshot.substring(0, Math.min(12, snapshot.length()));
    }
}
