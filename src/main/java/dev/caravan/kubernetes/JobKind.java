package dev.caravan.kubernetes;

import java.util.List;

/**
 * The {@code kubeflow.org/v1} training jobs Caravan can create. Their specs differ only in the replica map's key,
 * the replica types and the container name the operator looks for.
 */
public enum JobKind {

    TFJob("tfjobs", "tfReplicaSpecs", "tensorflow", List.of("Chief", "Worker", "PS")),
    PyTorchJob("pytorchjobs", "pytorchReplicaSpecs", "pytorch", List.of("Master", "Worker")),
    MPIJob("mpijobs", "mpiReplicaSpecs", "mpi", List.of("Launcher", "Worker"));

    public static final String GROUP = "kubeflow.org";
    public static final String VERSION = "v1";

    private final String plural;
    private final String replicaSpecsKey;
    private final String containerName;
    private final List<String> replicaTypes;

    JobKind(String plural, String replicaSpecsKey, String containerName, List<String> replicaTypes) {
        this.plural = plural;
        this.replicaSpecsKey = replicaSpecsKey;
        this.containerName = containerName;
        this.replicaTypes = replicaTypes;
    }

    public String plural() {
        return plural;
    }

    public String replicaSpecsKey() {
        return replicaSpecsKey;
    }

    public String containerName() {
        return containerName;
    }

    /** Replica types in order: the coordinator (Chief, Master, Launcher), the workers, then parameter servers. */
    public List<String> replicaTypes() {
        return replicaTypes;
    }

    public String apiVersion() {
        return GROUP + "/" + VERSION;
    }
}
