package dev.caravan.training;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One task of a TF_CONFIG cluster: its type as training-operator v1 writes it in {@code TF_CONFIG} and in the pods'
 * {@code training.kubeflow.org/replica-type} label ({@code chief}, {@code worker}, {@code ps}) and its index. Logs,
 * pid files and messages name it {@code chief}, {@code worker-<i>} or {@code ps-<i>}; a single process is the chief.
 */
record Replica(String type, int index) {

    static final Replica CHIEF = new Replica("chief", 0);

    /** Chief first, then the workers, then the parameter servers, each by index: the order of messages and lists. */
    static final Comparator<Replica> ORDER = Comparator.comparingInt(Replica::rank).thenComparingInt(Replica::index);

    private static final Pattern NAME = Pattern.compile("chief|(worker|ps)-(\\d{1,3})");

    /** {@code chief}, {@code worker-1}, {@code ps-0}. */
    String name() {
        return type.equals("chief") ? "chief" : type + "-" + index;
    }

    boolean isChief() {
        return type.equals("chief");
    }

    /** The replica named {@code name} ({@code chief}, {@code worker-<i>}, {@code ps-<i>}), if it names one. */
    static Optional<Replica> parse(String name) {
        Matcher matcher = NAME.matcher(name == null ? "" : name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(matcher.group(1) == null ? CHIEF : new Replica(matcher.group(1),
                Integer.parseInt(matcher.group(2))));
    }

    private int rank() {
        return switch (type) {
            case "chief" -> 0;
            case "worker" -> 1;
            default -> 2;
        };
    }

    @Override
    public String toString() {
        return name();
    }
}
