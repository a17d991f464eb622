package dev.caravan.evaluation;

import java.util.List;

/**
 * A version measured on its run's test data: the gate's metric and, for a classifier evaluated by Caravan, the
 * confusion matrix ({@code confusion[true][predicted]}, counts of test images, one row and column per label) and the
 * first misclassified test images. A metric the trainer reported has no matrix: {@code confusion} is null.
 */
public record Evaluation(String metric, double value, List<String> labels, int[][] confusion,
                         List<Misclassified> misclassified) {

    /** At most this many misclassified images are kept: a strip to look at, not a dataset. */
    public static final int MISCLASSIFIED_KEPT = 24;

    /** A test image the model got wrong: its index in the test set, true and predicted labels, as a PNG data URI. */
    public record Misclassified(int index, int label, int predicted, String image) {
    }

    /** A metric alone, as a command trainer reports it. */
    public static Evaluation ofMetric(String metric, double value) {
        return new Evaluation(metric, value, List.of(), null, List.of());
    }
}
