package dev.caravan.pipeline;

import java.util.List;
import java.util.Map;

import dev.caravan.snapshot.Snapshot;
import dev.caravan.tensorboard.TensorBoardInfo;

/**
 * A run with its steps, parameters, the data snapshot it trains on, its TensorBoard and, once it ran, the smoke
 * test's report. {@code snapshotInfo} and {@code tensorboard} are null until known.
 */
public record RunView(Run run, List<StepView> steps, Map<String, String> parameters, String smokeReport,
                      SnapshotInfo snapshotInfo, TensorBoard tensorboard) {

    public RunView(Run run, List<StepView> steps, Map<String, String> parameters, String smokeReport) {
        this(run, steps, parameters, smokeReport, null, null);
    }

    /** The frozen data a run trains on: where, how many objects and bytes, and the hash over their keys and ETags. */
    public record SnapshotInfo(String hash, String location, int objects, long bytes) {

        static SnapshotInfo of(Snapshot snapshot) {
            return new SnapshotInfo(snapshot.hash(), snapshot.location().uri(), snapshot.objectCount(),
                    snapshot.totalBytes());
        }
    }

    /**
     * Where the run's event files are and how to open a TensorBoard over them: locally the command to start one,
     * on Kubernetes the port-forward to its Service; {@code url} is where it answers once opened, when known.
     */
    public record TensorBoard(String logDir, String command, String url) {

        static TensorBoard of(TensorBoardInfo info) {
            int http = info.howToOpen().indexOf("http://");
            return new TensorBoard(info.logDir(), info.howToOpen(), http < 0 ? null : info.howToOpen().substring(http));
        }
    }
}
