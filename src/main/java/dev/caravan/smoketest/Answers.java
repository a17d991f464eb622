package dev.caravan.smoketest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.TensorProto;

/**
 * Compares a model's answer with the one a sample expects: every expected output must be answered with as many
 * values, whole numbers exactly and floats within {@value #RELATIVE_TOLERANCE} of the expected value, relatively.
 */
final class Answers {

    static final double RELATIVE_TOLERANCE = 1e-4;
    // A probability written as 0 in a sample must still match the 1e-9 a model computes: magnitudes below this
    // one count as this one when the tolerance is scaled.
    private static final double SMALLEST_SCALE = 1e-3;

    private Answers() {
    }

    /** The values of every output of {@code response}, flattened. */
    static Map<String, double[]> of(PredictResponse response) {
        Map<String, double[]> values = new LinkedHashMap<>();
        response.getOutputsMap().forEach((name, tensor) -> values.put(name, OutputTensors.values(tensor)));
        return values;
    }

    /** What differs between {@code expected} and {@code response}, or empty when every expected output matches. */
    static Optional<String> mismatch(Map<String, double[]> expected, PredictResponse response) {
        for (Map.Entry<String, double[]> output : expected.entrySet()) {
            TensorProto tensor = response.getOutputsMap().get(output.getKey());
            if (tensor == null) {
                return Optional.of("the model answered no output '" + output.getKey() + "' (it answered "
                        + new TreeSet<>(response.getOutputsMap().keySet()) + ")");
            }
            double[] answered = OutputTensors.values(tensor);
            if (!matches(output.getValue(), answered, OutputTensors.isWhole(tensor.getDtype()))) {
                return Optional.of("output '" + output.getKey() + "': expected " + Values.format(output.getValue())
                        + ", answered " + Values.format(answered));
            }
        }
        return Optional.empty();
    }

    private static boolean matches(double[] expected, double[] answered, boolean whole) {
        if (expected.length != answered.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            double tolerance = whole ? 0 : RELATIVE_TOLERANCE * Math.max(Math.abs(expected[i]), SMALLEST_SCALE);
            if (!(Math.abs(answered[i] - expected[i]) <= tolerance)) {
                return false;
            }
        }
        return true;
    }
}
