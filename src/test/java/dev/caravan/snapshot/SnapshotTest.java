package dev.caravan.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.caravan.storage.S3Location;

class SnapshotTest {

    private final S3Location prefix = S3Location.parse("s3://tfmnist/data/mnist/");

    @Test
    void theSameObjectsInAnyOrderGiveTheSameHash() {
        Snapshot one = Snapshot.of(prefix, List.of(entry("a", "\"1\""), entry("b", "\"2\"")));
        Snapshot other = Snapshot.of(prefix, List.of(entry("b", "\"2\""), entry("a", "\"1\"")));

        assertThat(one.hash()).isEqualTo(other.hash()).hasSize(64);
    }

    @Test
    void aChangedObjectChangesTheHash() {
        Snapshot one = Snapshot.of(prefix, List.of(entry("a", "\"1\"")));
        Snapshot changed = Snapshot.of(prefix, List.of(entry("a", "\"9\"")));

        assertThat(one.hash()).isNotEqualTo(changed.hash());
    }

    @Test
    void anotherPrefixIsAnotherSnapshot() {
        List<Snapshot.Entry> objects = List.of(entry("a", "\"1\""));

        assertThat(Snapshot.of(prefix, objects).hash())
                .isNotEqualTo(Snapshot.of(S3Location.parse("s3://tfmnist/data/other/"), objects).hash());
    }

    @Test
    void aListingInKeyOrderIsSummedUpOneObjectAtATime() {
        Snapshot listed = Snapshot.ofListing(prefix, List.of(entry("a", "\"1\""), entry("b", "\"2\"")));

        assertThat(listed).isEqualTo(Snapshot.of(prefix, List.of(entry("b", "\"2\""), entry("a", "\"1\""))));
        assertThat(listed.objectCount()).isEqualTo(2);
        assertThat(listed.totalBytes()).isEqualTo(20);
    }

    private static Snapshot.Entry entry(String key, String etag) {
        return new Snapshot.Entry(key, etag, 10);
    }
}
