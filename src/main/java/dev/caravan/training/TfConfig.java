package dev.caravan.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The cluster a replica belongs to and its own task in it, read from {@code TF_CONFIG} as the Kubeflow training
 * operator injects it (training-operator v1 TF_CONFIG):
 * <pre>{"cluster": {"chief": ["h:2222"], "worker": ["h:2222", ...], "ps": ["h:2222"]},
 *  "task": {"type": "worker", "index": 0}, "environment": "cloud"}</pre>
 * Task types are {@code chief}, {@code worker} and {@code ps}. Without a chief, worker 0 plays its part, as in
 * TensorFlow's parameter-server training. A replica is named {@code chief}, {@code worker-<i>} or {@code ps-<i>}.
 */
record TfConfig(Map<String, List<String>> cluster, String type, int index) {

    static final String VARIABLE = "TF_CONFIG";
    static final String CHIEF = "chief";
    static final String WORKER = "worker";
    static final String PS = "ps";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TYPES = List.of(CHIEF, WORKER, PS);

    TfConfig {
        // Keeps the jobs in their order (chief, worker, ps as the operator writes them), unmodifiable.
        cluster = Collections.unmodifiableMap(new LinkedHashMap<>(cluster));
    }

    /**
     * The cluster of {@code TF_CONFIG}, or empty when it is unset or names a cluster of one task (the operator sets
     * none for a single replica; one task trains alone).
     *
     * @throws IllegalArgumentException saying what in {@code TF_CONFIG} is wrong and what it should hold
     */
    static Optional<TfConfig> fromEnvironment(Map<String, String> env) {
        String value = env.get(VARIABLE);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        TfConfig config = parse(value);
        return config.taskCount() > 1 ? Optional.of(config) : Optional.empty();
    }

    static TfConfig parse(String value) {
        JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw invalid("is not JSON (" + e.getOriginalMessage() + ")");
        }
        Map<String, List<String>> cluster = new LinkedHashMap<>();
        root.path("cluster").fields().forEachRemaining(job -> cluster.put(job.getKey(), addresses(job)));
        String type = root.path("task").path("type").asText("");
        int index = root.path("task").path("index").asInt(-1);
        if (!cluster.keySet().stream().allMatch(TYPES::contains)) {
            throw invalid("names jobs " + cluster.keySet() + "; the built-in trainers know " + TYPES);
        }
        if (cluster.getOrDefault(CHIEF, List.of()).size() > 1) {
            throw invalid("has " + cluster.get(CHIEF).size() + " chiefs; a cluster has at most one");
        }
        if (cluster.getOrDefault(CHIEF, List.of()).isEmpty() && cluster.getOrDefault(WORKER, List.of()).isEmpty()) {
            throw invalid("has neither a chief nor a worker: nothing would train");
        }
        int tasks = cluster.values().stream().mapToInt(List::size).sum();
        if (tasks > 1 && cluster.getOrDefault(PS, List.of()).isEmpty()) {
            throw invalid("has no ps task; the built-in trainers do parameter-server training: give at least one");
        }
        if (!cluster.containsKey(type) || index < 0 || index >= cluster.get(type).size()) {
            throw invalid("gives task {type: '" + type + "', index: " + index + "}, which is not in its cluster "
                    + cluster);
        }
        return new TfConfig(cluster, type, index);
    }

    /** {@code chief}, {@code worker-0}, {@code ps-1}: how logs, event folders and messages name this replica. */
    String replicaName() {
        return new Replica(type, index).name();
    }

    /** The JSON the training operator puts in {@code TF_CONFIG} for this task. */
    String toJson() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("cluster", cluster);
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("type", type);
        task.put("index", index);
        config.put("task", task);
        config.put("environment", "cloud");
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the TF_CONFIG of " + replicaName() + " as JSON", e);
        }
    }

    /** Whether this task writes the checkpoint and the export: the chief, or worker 0 where there is none. */
    boolean isChief() {
        return CHIEF.equals(type) || WORKER.equals(type) && index == 0 && tasks(CHIEF) == 0;
    }

    boolean isParameterServer() {
        return PS.equals(type);
    }

    /** Tasks that compute gradients: the chief and the workers. */
    int gradientTasks() {
        return tasks(CHIEF) + tasks(WORKER);
    }

    /** This task's place among the gradient tasks (chief 0, then the workers), which seeds its own batches. */
    int gradientTaskOrdinal() {
        return CHIEF.equals(type) ? 0 : tasks(CHIEF) + index;
    }

    int parameterServers() {
        return tasks(PS);
    }

    int tasks(String job) {
        return cluster.getOrDefault(job, List.of()).size();
    }

    int taskCount() {
        return cluster.values().stream().mapToInt(List::size).sum();
    }

    private static List<String> addresses(Map.Entry<String, JsonNode> job) {
        if (!job.getValue().isArray()) {
            throw invalid("gives job '" + job.getKey() + "' as " + job.getValue() + "; give a list of host:port");
        }
        List<String> addresses = new ArrayList<>();
        job.getValue().forEach(address -> {
            if (!address.asText("").matches("[^\\s:/]+:\\d{1,5}")) {
                throw invalid("gives '" + address.asText() + "' in job '" + job.getKey() + "'; give host:port");
            }
            addresses.add(address.asText());
        });
        return addresses;
    }

    private static IllegalArgumentException invalid(String problem) {
        return new IllegalArgumentException(VARIABLE + " " + problem + "; it should be what the training operator"
                + " injects: {\"cluster\": {\"chief\": [\"host:port\"], \"worker\": [...], \"ps\": [...]},"
                + " \"task\": {\"type\": \"worker\", \"index\": 0}}");
    }
}
