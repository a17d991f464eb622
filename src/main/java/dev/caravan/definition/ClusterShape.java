package dev.caravan.definition;

import java.util.Map;
import java.util.Optional;

/**
 * The training cluster a run asks for with its parameters {@code workers} and {@code ps}: a chief, {@code workers}
 * worker replicas and {@code ps} parameter servers (TFJob replica types Chief, Worker and PS). A run that names
 * {@code workers} but not {@code ps} gets one parameter server, since the workers need somewhere to share the
 * variables; {@code workers=0, ps=0} is a single process.
 */
public record ClusterShape(int workers, int ps) {

    public static final String WORKERS = "workers";
    public static final String PS = "ps";

    /**
     * The shape {@code parameters} (a run's effective parameters) give, or empty when they name neither
     * {@code workers} nor {@code ps}, so the runtime's own default applies.
     *
     * @throws IllegalArgumentException when a value is not a whole number in its range (0..32 workers, 0..8 ps)
     */
    public static Optional<ClusterShape> of(Map<String, String> parameters) {
        String workers = parameters.get(WORKERS);
        String ps = parameters.get(PS);
        if (workers == null && ps == null) {
            return Optional.empty();
        }
        int workerCount = workers == null ? 0 : count(WORKERS, workers);
        int psCount = ps == null ? (workerCount > 0 ? 1 : 0) : count(PS, ps);
        return Optional.of(new ClusterShape(workerCount, psCount));
    }

    /** One process, no {@code TF_CONFIG}: the training operator injects it only into a job of several replicas. */
    public boolean singleProcess() {
        return workers == 0 && ps == 0;
    }

    private static int count(String name, String value) {
        return Integer.parseInt(BuiltinParameters.checked(true, Map.of(), name, value));
    }
}
