package dev.caravan.pipeline;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.evaluation.Gate;
import dev.caravan.evaluation.ModelEvaluator;
import dev.caravan.registry.ModelRegistry;

/**
 * Measures the exported model on the snapshot's test images and asks the gate. A model the gate turns down ends the
 * run with exit status REJECTED: nothing is promoted and the serving model stays.
 */
class EvaluateTasklet implements Tasklet {

    static final String REJECTED = "REJECTED";

    private final ModelEvaluator evaluator;
    private final ModelRegistry registry;
    private final Gate gate;

    EvaluateTasklet(ModelEvaluator evaluator, ModelRegistry registry, Gate gate) {
        this.evaluator = evaluator;
        this.registry = registry;
        this.gate = gate;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        double accuracy = evaluator.accuracy(run.exportDir(), run.dataDir());
        registry.recordAccuracy(run.model(), run.version(), accuracy);
        Gate.Verdict verdict = gate.judge(accuracy, registry.serving(run.model()));
        if (verdict.promote()) {
            StepMessages.say(chunk, verdict.reason() + ": promote version " + run.version());
        } else {
            registry.reject(run.model(), run.version(), verdict.reason());
            StepMessages.say(chunk, "not promoted: " + verdict.reason());
            contribution.setExitStatus(new ExitStatus(REJECTED, verdict.reason()));
        }
        return RepeatStatus.FINISHED;
    }
}
