package dev.caravan.bench;

import java.util.List;

/** Percentiles of measured samples, by the nearest-rank method. */
final class Percentiles {

    private Percentiles() {
    }

    /** The smallest sample at or above {@code percent} % of them (100: the largest). */
    static double of(List<Double> values, int percent) {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
