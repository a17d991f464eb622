package dev.caravan.snapshot;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which frozen copies of a model's data may be deleted: every one except the {@code keepNewest} newest and those still
 * in use (a version that serves or may still be promoted was trained on it, or a run that has not ended reads it).
 * A copy whose freezing time is not known (its record is gone, e.g. with a wiped database) counts as the oldest. The
 * records of deleted copies stay, so lineage still names them.
 */
public final class SnapshotRetention {

    /** One frozen copy: its hash and when it was frozen (null when not known). */
    public record Frozen(String hash, Instant frozenAt) {
    }

    private SnapshotRetention() {
    }

    /** The hashes of the copies to delete, of {@code frozen}, keeping {@code inUse} and the {@code keepNewest} newest. */
    public static Set<String> expired(List<Frozen> frozen, Set<String> inUse, int keepNewest) {
        Comparator<Frozen> newestFirst = Comparator.comparing(Frozen::frozenAt,
                Comparator.nullsLast(Comparator.reverseOrder()));
        return frozen.stream().sorted(newestFirst.thenComparing(Frozen::hash)).skip(Math.max(keepNewest, 0))
                .map(Frozen::hash).filter(hash -> !inUse.contains(hash))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
