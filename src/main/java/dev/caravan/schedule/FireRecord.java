package dev.caravan.schedule;

import java.time.Instant;

/** What one fire of a schedule did: the run it submitted ({@code run}), or why it submitted none. */
public record FireRecord(String schedule, String model, Instant scheduledAt, Instant firedAt, Outcome outcome,
                         String run, String reason) {

    /** How a fire ended. */
    public enum Outcome {
        /** A retrain was submitted: started now, or waiting as the model's follow-up. */
        FIRED,
        /** The data had not changed since the model's last completed run. */
        SKIPPED,
        /** A run of the model was going and the schedule's policy is Forbid. */
        FORBIDDEN,
        /** Too late: past the starting deadline, or superseded by a later fire that was also due. */
        MISSED,
        /** The fire could not do its work, for example because the data could not be listed. */
        FAILED
    }
}
