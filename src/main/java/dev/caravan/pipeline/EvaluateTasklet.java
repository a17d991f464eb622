package dev.caravan.pipeline;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.evaluation.Evaluation;
import dev.caravan.evaluation.EvaluationStore;
import dev.caravan.evaluation.Gate;
import dev.caravan.evaluation.ModelEvaluator;
import dev.caravan.evaluation.TrainerMetrics;
import dev.caravan.registry.ModelRegistry;

/**
 * Measures the exported model as the pipeline's evaluation says (accuracy on the snapshot's IDX test images, or the
 * trainer's own {@code metrics.json}) and asks the pipeline's gate. A model the gate turns down ends the run with exit
 * status REJECTED: nothing is promoted and the serving model stays.
 */
class EvaluateTasklet implements Tasklet {

    static final String REJECTED = "REJECTED";

    private final ModelEvaluator evaluator;
    private final TrainerMetrics trainerMetrics;
    private final ModelRegistry registry;
    private final PipelineCatalog pipelines;
    private final EvaluationStore evaluations;

    EvaluateTasklet(ModelEvaluator evaluator, TrainerMetrics trainerMetrics, ModelRegistry registry,
                    PipelineCatalog pipelines, EvaluationStore evaluations) {
        this.evaluator = evaluator;
        this.evaluations = evaluations;
        this.trainerMetrics = trainerMetrics;
        this.registry = registry;
        this.pipelines = pipelines;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        PipelineDefinition pipeline = run.pipeline(pipelines);
        Gate gate = Gate.of(pipeline.gate());
        Evaluation evaluation = pipeline.evaluation().isBuiltin("trainer")
                ? Evaluation.ofMetric(gate.metric(), trainerMetrics.value(run.modelDir(), gate.metric()))
                : evaluator.evaluate(run.exportDir(), run.dataDir());
        double value = evaluation.value();
        registry.recordAccuracy(run.model(), run.version(), value);
        Gate.Verdict verdict = gate.judge(value, registry.serving(run.model()));
        evaluations.save(run.runName(), evaluation,
                new EvaluationStore.GateVerdict(verdict.promote(), gate.min(), verdict.reason()));
        if (verdict.promote()) {
            registry.passed(run.model(), run.version(), verdict.reason());
            StepMessages.say(chunk, verdict.reason() + ": promote version " + run.version());
        } else {
            registry.reject(run.model(), run.version(), verdict.reason());
            StepMessages.say(chunk, "not promoted: " + verdict.reason());
            contribution.setExitStatus(new ExitStatus(REJECTED, verdict.reason()));
        }
        return RepeatStatus.FINISHED;
    }
}
