package dev.caravan.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.caravan.snapshot.SnapshotRetention.Frozen;

class SnapshotRetentionTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final List<Frozen> fiveDays = List.of(frozen("d", 3), frozen("a", 0), frozen("e", 4), frozen("c", 2),
            frozen("b", 1));

    @Test
    void keepsTheNewestAndDeletesTheRest() {
        assertThat(SnapshotRetention.expired(fiveDays, Set.of(), 2)).containsExactly("a", "b", "c");
    }

    @Test
    void keepsAnOlderSnapshotThatIsStillInUse() {
        // given: version 3 serves, trained on b; a queued run reads a
        assertThat(SnapshotRetention.expired(fiveDays, Set.of("b", "a"), 2)).containsExactly("c");
    }

    @Test
    void keepsEverythingWhileThereAreNoMoreThanTheNewestToKeep() {
        assertThat(SnapshotRetention.expired(fiveDays, Set.of(), 5)).isEmpty();
        assertThat(SnapshotRetention.expired(List.of(), Set.of(), 1)).isEmpty();
    }

    @Test
    void aSnapshotWhoseFreezingTimeIsUnknownCountsAsTheOldest() {
        // given: a copy whose record went with a wiped database
        List<Frozen> withUnknown = List.of(new Frozen("lost", null), frozen("a", 0), frozen("b", 1));

        assertThat(SnapshotRetention.expired(withUnknown, Set.of(), 2)).containsExactly("lost");
        assertThat(SnapshotRetention.expired(withUnknown, Set.of("lost"), 1)).containsExactly("a");
    }

    private static Frozen frozen(String hash, int day) {
        return new Frozen(hash, T0.plusSeconds(86_400L * day));
    }
}
