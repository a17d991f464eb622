package dev.caravan.smoketest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.caravan.smoketest.SmokeTestReport.SampleResult;

/** The parts of a smoke-test report written as text: the opening and the table of samples. */
final class ReportText {

    private ReportText() {
    }

    /** The first digit and the model's answer for it, as Kubeflow's MNIST client prints it; else a line of counts. */
    static String opening(List<SmokeSample> sent, List<SampleResult> results) {
        if (sent.isEmpty()) {
            return "No sample could be sent.\n";
        }
        if (sent.get(0).image().isEmpty()) {
            return "Your model answered " + results.size() + " of " + sent.size() + " samples, "
                    + results.stream().filter(SampleResult::correct).count() + " as expected.\n";
        }
        String drawing = AsciiDigit.render(sent.get(0).image().get());
        if (results.isEmpty()) {
            return drawing + "Your model could not say what the above number is.\n";
        }
        return drawing + answerFor(results.get(0).answered()) + "\n";
    }

    /** One row per sample answered: its name, the expected and the answered outputs, the version, and "wrong". */
    static String table(List<SampleResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"sample", "expected", "answered", "version"});
        for (SampleResult r : results) {
            rows.add(new String[] {r.sample().name(), Values.outputs(r.sample().expected().keySet(), r.sample().expected()),
                    Values.outputs(r.sample().expected().keySet(), r.answered()), Long.toString(r.version())});
        }
        int[] widths = new int[4];
        rows.forEach(row -> {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        });
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            text.append(String.format("%-" + (widths[0] + 2) + "s%-" + (widths[1] + 2) + "s%-" + (widths[2] + 2) + "s%"
                    + widths[3] + "s", (Object[]) row));
            text.append(i > 0 && !results.get(i - 1).correct() ? "  wrong" : "").append('\n');
        }
        return text.toString();
    }

    private static String answerFor(Map<String, double[]> answered) {
        double[] classes = answered.get("classes");
        if (classes != null && classes.length > 0) {
            return "Your model says the above number is... " + Values.number(classes[0]) + "!";
        }
        double[] scores = answered.get("predictions");
        if (scores != null && scores.length > 0) {
            return "Your model says the above number is... " + argMax(scores) + "!";
        }
        return "Your model answered " + Values.outputs(answered.keySet(), answered) + ".";
    }

    private static int argMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            best = values[i] > values[best] ? i : best;
        }
        return best;
    }
}
