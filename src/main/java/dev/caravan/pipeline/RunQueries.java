package dev.caravan.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.stereotype.Service;

import dev.caravan.snapshot.SnapshotStore;
import dev.caravan.tensorboard.TensorBoardInfo;

/** Reads runs for the API, the CLI and the demo: the run table for lists, Spring Batch for a run's steps. */
@Service
public class RunQueries {

    private final RunStore runs;
    private final JobExplorer explorer;
    private final SnapshotStore snapshots;

    public RunQueries(RunStore runs, JobExplorer explorer, SnapshotStore snapshots) {
        this.runs = runs;
        this.explorer = explorer;
        this.snapshots = snapshots;
    }

    public List<Run> list(int limit) {
        return runs.list(limit);
    }

    public Optional<RunView> get(String name) {
        return runs.find(name).map(this::view);
    }

    private RunView view(Run run) {
        JobExecution job = run.jobExecutionId() == null ? null : explorer.getJobExecution(run.jobExecutionId());
        RunView.SnapshotInfo snapshot = snapshots.find(run.snapshot()).map(RunView.SnapshotInfo::of).orElse(null);
        if (job == null) {
            return new RunView(run, List.of(), Map.of(), null, snapshot, null);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        job.getJobParameters().getParameters().forEach((name, value) -> parameters.put(name, String.valueOf(value.getValue())));
        List<StepView> steps = stepsOf(run).stream().map(RunQueries::step).toList();
        RunContext context = RunContext.of(job);
        TensorBoardInfo tensorBoard = context.tensorBoard();
        return new RunView(run, steps, parameters, context.smokeReport(), snapshot,
                tensorBoard == null ? null : RunView.TensorBoard.of(tensorBoard));
    }

    /** The latest execution of each step over all of the run's job executions, so a restarted run shows whole. */
    private List<StepExecution> stepsOf(Run run) {
        Map<String, StepExecution> latest = new LinkedHashMap<>();
        explorer.getJobExecutions(explorer.getJobInstance(run.jobInstanceId())).stream()
                .sorted(Comparator.comparing(JobExecution::getId))
                .flatMap(execution -> execution.getStepExecutions().stream().sorted(Comparator.comparing(StepExecution::getId)))
                .forEach(step -> latest.put(step.getStepName(), step));
        return List.copyOf(latest.values());
    }

    private static StepView step(StepExecution step) {
        Instant start = instant(step.getStartTime());
        Instant end = instant(step.getEndTime());
        Duration duration = start == null ? Duration.ZERO : Duration.between(start, end == null ? Instant.now() : end);
        String status = step.getExitStatus().getExitCode().equals(EvaluateTasklet.REJECTED)
                ? EvaluateTasklet.REJECTED : step.getStatus().name();
        return new StepView(step.getStepName(), status, start, end, duration, StepMessages.of(step));
    }

    private static Instant instant(LocalDateTime time) {
        return time == null ? null : time.atZone(ZoneId.systemDefault()).toInstant();
    }
}
