package dev.caravan.definition;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hyper-parameters of a pipeline's trainer and the values a run may give them. The built-in trainers know
 * {@code trainSteps}, {@code batchSize}, {@code learningRate} and {@code learningRateSchedule} (one of
 * {@link #LEARNING_RATE_SCHEDULES}), and the shape of their cluster: {@code workers}
 * (0 to 32 worker replicas beside the chief), {@code ps} (0 to 8 parameter servers; when not given, 1 if there are
 * workers, else 0) and {@code syncReplicas} (1: every global step averages one gradient from the chief and each
 * worker; 0: each applies its own), each with a range. {@code workers=0} and {@code ps=0} is one process, as the
 * training operator runs a TFJob of one replica (no {@code TF_CONFIG}). A command trainer takes the parameters its
 * file names, each of the kind (whole number, number or text) of the file's value.
 */
public final class BuiltinParameters {

    /** A parameter's kind and range. */
    record Range(boolean whole, double min, boolean minInclusive, double max) {

        String describe() {
            return (whole ? "a whole number" : "a number") + " from " + number(min) + (minInclusive ? "" : " (exclusive)")
                    + " to " + number(max);
        }

        boolean contains(double value) {
            return (minInclusive ? value >= min : value > min) && value <= max && (!whole || value == Math.rint(value));
        }
    }

    static final Map<String, Range> BUILTIN = new LinkedHashMap<>();
    /** The built-in trainers' learning-rate schedules, as the training package's {@code LearningRateSchedule}. */
    public static final List<String> LEARNING_RATE_SCHEDULES = List.of("warmup-cosine", "constant");
    private static final Map<String, List<String>> BUILTIN_CHOICES = Map.of(
            "learningRateSchedule", LEARNING_RATE_SCHEDULES);
    private static final List<String> BUILTIN_NAMES = List.of("trainSteps", "batchSize", "learningRate",
            "learningRateSchedule", ClusterShape.WORKERS, ClusterShape.PS, "syncReplicas");

    static {
        BUILTIN.put("trainSteps", new Range(true, 1, true, 1_000_000));
        BUILTIN.put("batchSize", new Range(true, 1, true, 10_000));
        BUILTIN.put("learningRate", new Range(false, 0, false, 1));
        BUILTIN.put(ClusterShape.WORKERS, new Range(true, 0, true, 32));
        BUILTIN.put(ClusterShape.PS, new Range(true, 0, true, 8));
        BUILTIN.put("syncReplicas", new Range(true, 0, true, 1));
    }

    private BuiltinParameters() {
    }

    /** The problems with a built-in trainer's parameters in its file, each as {@code name: reason}. */
    static List<String> problems(Map<String, String> parameters) {
        List<String> problems = new ArrayList<>();
        parameters.forEach((name, value) -> {
            try {
                checked(true, parameters, name, value);
            } catch (IllegalArgumentException e) {
                problems.add(name + ": " + e.getMessage());
            }
        });
        return problems;
    }

    /**
     * A run's value for parameter {@code name}, checked and written plainly ({@code 2e3} becomes {@code 2000}).
     *
     * @throws IllegalArgumentException naming the parameter, the value and what it may be
     */
    static String checked(boolean builtin, Map<String, String> declared, String name, String value) {
        Range range = builtin ? BUILTIN.get(name) : declaredRange(declared.get(name));
        List<String> choices = builtin ? BUILTIN_CHOICES.get(name) : null;
        if (builtin && range == null && choices == null || !builtin && !declared.containsKey(name)) {
            throw new IllegalArgumentException("unknown parameter '" + name + "'; this pipeline's trainer takes "
                    + (builtin ? BUILTIN_NAMES : declared.keySet()));
        }
        if (value == null) {
            throw new IllegalArgumentException("parameter " + name + " has no value; give "
                    + (choices != null ? "one of " + choices : describe(range)));
        }
        if (choices != null) {
            return chosen(name, value, choices);
        }
        if (range == null) {
            return value;
        }
        BigDecimal number;
        try {
            number = new BigDecimal(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter " + name + "=" + abbreviate(value) + " is not a number; give "
                    + range.describe());
        }
        double asDouble = number.doubleValue();
        if (!range.contains(asDouble) || asDouble != 0 && Math.abs(asDouble) < Double.MIN_NORMAL) {
            throw new IllegalArgumentException("parameter " + name + "=" + abbreviate(value) + " is out of range; give "
                    + range.describe());
        }
        return range.whole() ? number.toBigInteger().toString() : Double.toString(asDouble);
    }

    private static String chosen(String name, String value, List<String> choices) {
        String chosen = value.trim().toLowerCase(Locale.ROOT);
        if (!choices.contains(chosen)) {
            throw new IllegalArgumentException("parameter " + name + "=" + abbreviate(value) + " is not one of "
                    + choices);
        }
        return chosen;
    }

    /** A command trainer's parameter: a number of the kind its default is, or any text. */
    private static Range declaredRange(String defaultValue) {
        if (defaultValue == null) {
            return null;
        }
        try {
            BigDecimal number = new BigDecimal(defaultValue.trim());
            boolean whole = number.stripTrailingZeros().scale() <= 0;
            return whole ? new Range(true, Long.MIN_VALUE, true, Long.MAX_VALUE)
                    : new Range(false, -Double.MAX_VALUE, true, Double.MAX_VALUE);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String describe(Range range) {
        return range == null ? "a text value" : range.describe();
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 37) + "...";
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.format(Locale.ROOT, "%d", (long) value)
                : Double.toString(value);
    }
}
