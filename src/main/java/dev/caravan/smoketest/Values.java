package dev.caravan.smoketest;

import java.util.Locale;
import java.util.Map;

/** Writes tensor values for a report: whole numbers as such, others to four significant digits, long lists cut. */
final class Values {

    private static final int SHOWN = 4;

    private Values() {
    }

    /** {@code [7]}, {@code [0.01, 0.9, 0.02, 0.001, ... 10 values]}. */
    static String format(double[] values) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < Math.min(values.length, SHOWN); i++) {
            text.append(i == 0 ? "" : ", ").append(number(values[i]));
        }
        if (values.length > SHOWN) {
            text.append(", ... ").append(values.length).append(" values");
        }
        return text.append(']').toString();
    }

    /** {@code classes [7], predictions [...]}: the outputs named in {@code names}, in their order. */
    static String outputs(Iterable<String> names, Map<String, double[]> values) {
        StringBuilder text = new StringBuilder();
        for (String name : names) {
            double[] output = values.get(name);
            text.append(text.length() == 0 ? "" : ", ").append(name).append(' ')
                    .append(output == null ? "missing" : format(output));
        }
        return text.toString();
    }

    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%.4g", value).replaceAll("(\\.\\d*?)0+($|e)", "$1$2").replace(".e", "e");
    }
}
