package dev.caravan.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.caravan.testutil.TestS3;

/**
 * The conditional S3 requests snapshots and version folders rely on, against the embedded S3 server: a copy made only
 * while the source has the ETag that was listed (AWS S3 CopyObject, {@code x-amz-copy-source-if-match}), and a write
 * made only where no object is (AWS S3 PutObject, {@code If-None-Match: *}).
 */
class ConditionalRequestsTest {

    @TempDir
    static Path dir;

    static TestS3 s3;
    static ObjectStore store;

    @BeforeAll
    static void start() {
        s3 = TestS3.start(dir, "conditional");
        store = s3.store();
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void aCopyIsMadeOnlyOfTheObjectAsItWasListed() {
        // given: an object listed with its ETag, then overwritten
        S3Location labels = S3Location.parse("s3://conditional/data/labels");
        store.put(labels, bytes("first labels"));
        String listed = store.list(S3Location.parse("s3://conditional/data/")).get(0).eTag();
        S3Location copy = S3Location.parse("s3://conditional/snapshots/a/labels");
        store.copyIfMatch(labels, listed, copy);
        store.put(labels, bytes("labels overwritten"));

        // when, then: the copy of the listed ETag is refused, naming the object; the first copy is as it was
        assertThatThrownBy(() -> store.copyIfMatch(labels, listed, S3Location.parse("s3://conditional/snapshots/b/labels")))
                .isInstanceOf(ObjectChangedException.class)
                .hasMessage("s3://conditional/data/labels is no longer the object with ETag " + listed
                        + " (it was overwritten or deleted)");
        assertThat(store.exists(S3Location.parse("s3://conditional/snapshots/b/labels"))).isFalse();
        assertThat(new String(store.read(copy), StandardCharsets.UTF_8)).isEqualTo("first labels");
    }

    @Test
    void aCopyOfAnObjectDeletedSinceItWasListedIsRefused() {
        S3Location gone = S3Location.parse("s3://conditional/data/gone");
        store.put(gone, bytes("soon deleted"));
        String listed = store.list(gone).get(0).eTag();
        store.delete(gone);

        assertThatThrownBy(() -> store.copyIfMatch(gone, listed, S3Location.parse("s3://conditional/snapshots/c/gone")))
                .isInstanceOf(ObjectChangedException.class);
    }

    @Test
    void aWriteWhereAnObjectIsLeavesItAsItWas() {
        S3Location owner = S3Location.parse("s3://conditional/models/mnist/4/_CARAVAN_RUN");

        assertThat(store.putIfAbsent(owner, bytes("mnist-aaaaaaaaaa"))).isTrue();
        assertThat(store.putIfAbsent(owner, bytes("mnist-bbbbbbbbbb"))).isFalse();
        assertThat(new String(store.read(owner), StandardCharsets.UTF_8)).isEqualTo("mnist-aaaaaaaaaa");
    }

    @Test
    void foldersAreTheCommonPrefixesBelowAPrefix() {
        store.put(S3Location.parse("s3://conditional/models/fashion/1/saved_model.pb"), bytes("1"));
        store.put(S3Location.parse("s3://conditional/models/fashion/12/variables/variables.index"), bytes("12"));
        store.put(S3Location.parse("s3://conditional/models/fashion/notes.txt"), bytes("not a folder"));

        assertThat(store.folders(S3Location.parse("s3://conditional/models/fashion/"))).extracting(S3Location::uri)
                .containsExactly("s3://conditional/models/fashion/1/", "s3://conditional/models/fashion/12/");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
