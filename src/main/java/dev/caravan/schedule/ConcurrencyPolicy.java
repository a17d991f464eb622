package dev.caravan.schedule;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a fire does while a run of the schedule's model is still going. A running run is never stopped: Caravan has
 * no way to stop a training under way (a child JVM or a TFJob that a step waits for), so the policies decide only
 * about the request this fire makes.
 */
public enum ConcurrencyPolicy {

    /** Submit anyway: the request waits as the model's follow-up and starts when the run going ends. */
    ALLOW("Allow"),

    /** Do not submit: the fire is recorded as FORBIDDEN, with the run that is going. */
    FORBID("Forbid"),

    /**
     * Replace the model's waiting follow-up with this fire's request, so what runs next is this fire's data and
     * settings, whatever waited before. The run going is not stopped.
     */
    REPLACE("Replace");

    private final String label;

    ConcurrencyPolicy(String label) {
        this.label = label;
    }

    /** The name users write: Allow, Forbid or Replace. */
    public String label() {
        return label;
    }

    /** The policy named {@code text}, in any case. */
    public static Optional<ConcurrencyPolicy> parse(String text) {
        return Arrays.stream(values()).filter(p -> p.label.toLowerCase(Locale.ROOT).equals(
                text.trim().toLowerCase(Locale.ROOT))).findFirst();
    }
}
