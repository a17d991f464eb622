package dev.caravan.schedule;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a fire does while a run of the schedule's model is still going, as a Kubernetes CronJob's policy does. */
public enum ConcurrencyPolicy {

    /** Submit anyway: the request waits as the model's follow-up and starts when the run going ends. */
    ALLOW("Allow"),

    /** Do not submit: the fire is recorded as FORBIDDEN, with the run that is going. */
    FORBID("Forbid"),

    /**
     * Stop the run going (as {@code caravan stop} does; a run already promoting finishes) and make this fire's request
     * the model's follow-up in place of any that waited, so what runs next is this fire's data and settings.
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
