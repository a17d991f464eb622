package dev.caravan.kubernetes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.caravan.definition.ClusterShape;
import dev.caravan.training.TrainingRequest;

/**
 * How many replicas of each type a run's training job has, and how the operator treats a replica that fails. A TFJob
 * takes its shape from the run's {@code workers} and {@code ps} parameters when it gives either (always with one
 * Chief), else, for a built-in trainer, from {@code caravan.kubernetes.training.{chief,workers,ps}}, and for a trainer
 * of the user's, one Chief alone; a PyTorchJob or MPIJob from the settings. Rules from the training-operator v1.9 TFJob CRD and what the built-in trainer does in each role.
 *
 * @param counts replicas by type (Chief, Worker, PS; Master; Launcher), in the kind's order, types with none left out
 */
record TrainingReplicas(JobKind kind, Map<String, Integer> counts) {

    /** The replicas of {@code request}; throws {@link IllegalArgumentException} naming the setting or parameter. */
    static TrainingReplicas of(TrainingRequest request, KubernetesSettings.Training training) {
        JobKind kind = training.kind();
        int chief = training.chief();
        int workers = training.workers();
        int ps = training.ps();
        if (kind == JobKind.TFJob) {
            // The settings' cluster is the built-in trainer's default: a trainer of the user's that ignored TF_CONFIG
            // would train once per replica, all writing the same export. It gets a cluster only when it asks for one.
            ClusterShape shape = ClusterShape.of(request.parameters())
                    .orElse(request.trainer().isBuiltin() ? null : new ClusterShape(0, 0));
            if (shape != null) {
                chief = 1;
                workers = shape.workers();
                ps = shape.ps();
            }
        }
        checked(kind, request.trainer().isBuiltin(), chief, workers, ps);
        Map<String, Integer> counts = new LinkedHashMap<>();
        int[] byType = {chief, workers, ps};
        for (int i = 0; i < kind.replicaTypes().size(); i++) {
            if (byType[i] > 0) {
                counts.put(kind.replicaTypes().get(i), byType[i]);
            }
        }
        return new TrainingReplicas(kind, Collections.unmodifiableMap(counts));
    }

    /** More than one replica: the operator injects {@code TF_CONFIG}, and the replicas train as one cluster. */
    boolean cluster() {
        return counts.values().stream().mapToInt(Integer::intValue).sum() > 1;
    }

    /**
     * The pod restart policy of {@code type}. A lone trainer may be restarted: it trains from the start again. In a
     * TFJob cluster no replica may be: a PS that comes back has lost the variables it hosted, and a chief or worker
     * that comes back would join a global step the others have moved past; the built-in trainer cannot resume a
     * cluster, so a failed replica fails the job (naming it) and Caravan's retry trains again.
     */
    String restartPolicy(String type) {
        return kind == JobKind.TFJob && cluster() ? "Never" : "OnFailure";
    }

    /**
     * Whether pods of {@code type} compute and so get the GPUs asked for: not a TFJob's parameter servers (they only
     * hold the variables) nor an MPIJob's Launcher (it only runs mpirun).
     */
    boolean computes(String type) {
        return !("PS".equals(type) || "Launcher".equals(type));
    }

    private static void checked(JobKind kind, boolean builtin, int chief, int workers, int ps) {
        Names.atLeast("caravan.kubernetes.training.chief", chief, 0);
        Names.atLeast("caravan.kubernetes.training.workers", workers, 0);
        Names.atLeast("caravan.kubernetes.training.ps", ps, 0);
        if (chief > 1) {
            throw new IllegalArgumentException("caravan.kubernetes.training.chief must be 0 or 1, not " + chief);
        }
        if (chief + workers == 0) {
            throw new IllegalArgumentException("a training job needs a chief or at least one worker; "
                    + "set caravan.kubernetes.training.chief=1 or workers above 0");
        }
        if (kind == JobKind.TFJob && builtin && chief == 0) {
            throw new IllegalArgumentException("the built-in trainer needs a Chief: it is the replica that writes the"
                    + " checkpoint and the export, and that ends the job; set caravan.kubernetes.training.chief=1");
        }
        if (kind == JobKind.MPIJob && chief != 1) {
            throw new IllegalArgumentException("an MPIJob has exactly one Launcher, the pod that runs mpirun; set"
                    + " caravan.kubernetes.training.chief=1");
        }
        if (kind != JobKind.TFJob && ps > 0) {
            throw new IllegalArgumentException(kind + " has no parameter servers; set caravan.kubernetes.training.ps=0");
        }
    }
}
