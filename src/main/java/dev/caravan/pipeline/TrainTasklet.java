package dev.caravan.pipeline;

import java.util.Locale;
import java.util.Optional;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.context.ApplicationEventPublisher;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.registry.VersionFolders;
import dev.caravan.training.TrainingBackend;
import dev.caravan.training.TrainingException;
import dev.caravan.training.TrainingProgress;
import dev.caravan.training.TrainingRequest;
import dev.caravan.training.TrainingResult;

/**
 * Trains the model on the run's data snapshot through the training backend, keeping its curves as it goes. The
 * version folder must be the run's own: an export found there (after a restart) is then this run's, never another's.
 */
class TrainTasklet implements Tasklet {

    private final TrainingBackend training;
    private final RunStore runs;
    private final ApplicationEventPublisher events;
    private final RunStops stops;
    private final PipelineCatalog pipelines;
    private final VersionFolders versions;

    TrainTasklet(TrainingBackend training, RunStore runs, ApplicationEventPublisher events, RunStops stops,
                 PipelineCatalog pipelines, VersionFolders versions) {
        this.training = training;
        this.runs = runs;
        this.events = events;
        this.stops = stops;
        this.pipelines = pipelines;
        this.versions = versions;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        PipelineDefinition pipeline = run.pipeline(pipelines);
        versions.claim(run.exportDir(), run.runName());
        TrainingRequest request = new TrainingRequest(run.runName(), run.dataDir(), run.modelDir(), run.exportDir(),
                pipeline.trainer(), pipeline.parameters(run.settings()));
        TrainingResult result;
        try {
            result = training.train(request, progress -> {
                runs.addScalar(run.runName(), progress);
                events.publishEvent(new RunEvent.TrainingProgressed(run.runName(), progress));
            });
        } catch (TrainingException e) {
            // A training cut short because the run was asked to stop is a stop, not a failure: retry goes on from here.
            Optional<String> stop = stops.requested(run.runName());
            if (stop.isEmpty()) {
                throw e;
            }
            RunStops.stop(chunk.getStepContext().getStepExecution(), stop.get() + "; the training was stopped at step "
                    + runs.scalars(run.runName()).stream().mapToInt(TrainingProgress::step).max().orElse(0)
                    + " of " + request.trainSteps());
            return RepeatStatus.FINISHED;
        }
        StepMessages.say(chunk, result.last().step() == 0
                ? String.format(Locale.ROOT, "trained in %.1f s; exported to %s", result.duration().toMillis() / 1000.0,
                        result.export())
                : String.format(Locale.ROOT, "%d steps in %.1f s, loss %.4f, batch accuracy %.4f; exported to %s",
                        result.last().step(), result.duration().toMillis() / 1000.0, result.last().loss(),
                        result.last().accuracy(), result.export()));
        return RepeatStatus.FINISHED;
    }
}
