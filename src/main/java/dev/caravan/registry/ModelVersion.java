package dev.caravan.registry;

import java.time.Instant;

import dev.caravan.storage.S3Location;

/** One version of a model: the run and data it came from, how good it is, and where it stands. */
public record ModelVersion(
        String model,
        long version,
        String runName,
        String snapshot,
        S3Location export,
        Double accuracy,
        State state,
        String reason,
        Instant createdAt,
        Instant promotedAt,
        Instant retiredAt) {

    /** Where a version stands: trained and waiting, answering requests, replaced, or turned down. */
    public enum State { CANDIDATE, SERVING, RETIRED, REJECTED }
}
