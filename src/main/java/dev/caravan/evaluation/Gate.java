package dev.caravan.evaluation;

import java.util.Locale;
import java.util.Optional;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.registry.ModelVersion;

/**
 * The evaluation gate of a pipeline ({@code gate:} in its file): a candidate is promoted only if its metric reaches
 * {@code min} and is not worse than the serving version's by more than {@code tolerance}. Higher is better. The
 * verdict says why either way.
 */
public record Gate(String metric, double min, double tolerance) {

    public static Gate of(PipelineDefinition.Gate gate) {
        return new Gate(gate.metric(), gate.min(), gate.tolerance());
    }

    /** A gate's verdict and the reason for it. */
    public record Verdict(boolean promote, String reason) {
    }

    /** Judges a candidate whose metric is {@code value} against {@code serving}, whose recorded metric is its own. */
    public Verdict judge(double value, Optional<ModelVersion> serving) {
        if (Double.isNaN(value) || value < min) {
            return new Verdict(false, format("%s %.4f is below the gate's minimum %.4f (gate.min in the pipeline file); "
                    + "train longer (trainer.parameters) or check the data", metric, value, min));
        }
        if (serving.isPresent() && serving.get().accuracy() != null
                && value < serving.get().accuracy() - tolerance) {
            return new Verdict(false, format("%s %.4f is worse than serving version %d's %.4f by more than the "
                    + "tolerance %.4f (gate.tolerance in the pipeline file); the serving version stays", metric, value,
                    serving.get().version(), serving.get().accuracy(), tolerance));
        }
        String comparison = serving.filter(v -> v.accuracy() != null)
                .map(v -> format(" and not worse than serving version %d's %.4f by more than %.4f", v.version(),
                        v.accuracy(), tolerance))
                .orElse("");
        return new Verdict(true, format("%s %.4f reaches the minimum %.4f", metric, value, min) + comparison);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
