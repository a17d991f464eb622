package dev.caravan.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.caravan.pipeline.RetrainCoordinator.Admission;
import dev.caravan.pipeline.RetrainLauncher;
import dev.caravan.pipeline.RetrainRequest;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.Run;
import dev.caravan.storage.S3Location;
import dev.caravan.snapshot.Snapshot;

/** The pipeline as a fire sees it, set up by each test: a busy or idle model, the data there now, the last run. */
final class FakeRetrains implements Retrains {

    final List<RetrainRequest> submitted = new ArrayList<>();
    final List<String> stopped = new ArrayList<>();
    RuntimeException stopFailure;
    boolean idle = true;
    boolean done;
    String running;
    Snapshot data = data("etag-1");
    Run lastCompleted;
    RuntimeException freezeFailure;
    int freezes;

    static Snapshot data(String etag) {
        return Snapshot.of(S3Location.parse("s3://tfmnist/data/mnist/"),
                List.of(new Snapshot.Entry("data/mnist/train-images-idx3-ubyte.gz", etag, 9_912_422)));
    }

    /** A run of mnist that completed on {@code snapshot}. */
    static Run completedRun(String name, Snapshot snapshot) {
        Instant at = Instant.parse("2025-05-31T00:00:00Z");
        return new Run(name, "mnist", snapshot.hash(), 1L, 1L, "COMPLETED", "PROMOTED", "promote: version 1", 1L,
                at, at, at.plusSeconds(300), "schedule");
    }

    /** A model with a run going: the runs table knows it as {@code run}, and requests queue behind it. */
    void busyWith(String run) {
        idle = false;
        running = run;
    }

    @Override
    public boolean idle(String model) {
        return idle;
    }

    @Override
    public Optional<String> running(String model) {
        return Optional.ofNullable(running);
    }

    @Override
    public String runName(String model, Snapshot snapshot, Map<String, String> parameters) {
        return RetrainLauncher.runName(model, snapshot.hash(), parameters);
    }

    @Override
    public Snapshot freeze(String model) {
        freezes++;
        if (freezeFailure != null) {
            throw freezeFailure;
        }
        return data;
    }

    @Override
    public Optional<Run> lastCompleted(String model) {
        return Optional.ofNullable(lastCompleted);
    }

    @Override
    public void stop(String run, String origin) {
        if (stopFailure != null) {
            throw stopFailure;
        }
        stopped.add(run);
    }

    @Override
    public RunOperations.Submission submit(String model, Snapshot snapshot, Map<String, String> parameters,
                                           String origin) {
        RetrainRequest request = new RetrainRequest(model, snapshot.hash(), parameters, origin);
        submitted.add(request);
        return new RunOperations.Submission(RetrainLauncher.runName(model, snapshot.hash(), parameters), model,
                snapshot.hash(), snapshot.objectCount(), done ? Admission.DONE : idle ? Admission.STARTED : Admission.QUEUED);
    }
}
