package dev.caravan.evaluation;

import java.util.Locale;
import java.util.Optional;

import dev.caravan.registry.ModelVersion;

/**
 * The evaluation gate: a candidate is promoted only if it reaches {@code minAccuracy} and is not worse than the
 * serving version by more than {@code tolerance}. The verdict says why either way.
 */
public record Gate(double minAccuracy, double tolerance) {

    /** A gate's verdict and the reason for it. */
    public record Verdict(boolean promote, String reason) {
    }

    public Verdict judge(double accuracy, Optional<ModelVersion> serving) {
        if (accuracy < minAccuracy) {
            return new Verdict(false, format("accuracy %.4f is below the gate's minimum %.4f (caravan.gate.min-accuracy); "
                    + "train longer (caravan.training.steps) or check the data", accuracy, minAccuracy));
        }
        if (serving.isPresent() && serving.get().accuracy() != null
                && accuracy < serving.get().accuracy() - tolerance) {
            return new Verdict(false, format("accuracy %.4f is worse than serving version %d's %.4f by more than the "
                    + "tolerance %.4f (caravan.gate.tolerance); the serving version stays", accuracy,
                    serving.get().version(), serving.get().accuracy(), tolerance));
        }
        String comparison = serving.filter(v -> v.accuracy() != null)
                .map(v -> format(" and not worse than serving version %d's %.4f by more than %.4f", v.version(),
                        v.accuracy(), tolerance))
                .orElse("");
        return new Verdict(true, format("accuracy %.4f reaches the minimum %.4f", accuracy, minAccuracy) + comparison);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
