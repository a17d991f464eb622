package dev.caravan.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The embedded server tells its subscribers of each object it stores, the ObjectCreated events of S3 event
 * notifications (Put, CompleteMultipartUpload, Copy), once the object can be read, and of no upload it refused.
 */
class EmbeddedS3NotificationsTest {

    private static final String BUCKET = "notified";

    @TempDir
    static Path dir;

    private static EmbeddedS3 server;
    private static ObjectStore store;
    private static final List<S3Location> created = new CopyOnWriteArrayList<>();
    private static final List<byte[]> readableWhenTold = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        server = EmbeddedS3.start(dir.resolve("s3"), "127.0.0.1", 0, "events-key", "events-secret");
        store = new ObjectStore(ObjectStore.client(server.settings()));
        store.createBucketIfMissing(BUCKET);
        server.subscribe(created::add);
        server.subscribe(object -> readableWhenTold.add(store.read(object)));
    }

    @AfterAll
    static void stopServer() {
        store.close();
        server.close();
    }

    @BeforeEach
    void forgetEarlierEvents() {
        created.clear();
        readableWhenTold.clear();
    }

    @Test
    void aPutObjectIsToldOnceItCanBeRead() {
        store.put(new S3Location(BUCKET, "data/_SUCCESS"), "done".getBytes(StandardCharsets.UTF_8));

        assertThat(created).containsExactly(new S3Location(BUCKET, "data/_SUCCESS"));
        assertThat(readableWhenTold).singleElement().isEqualTo("done".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aMultipartUploadIsToldOnceWhenCompletedNotPerPart() {
        var s3 = store.client();
        String key = "parts.bin";
        String upload = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        String eTag = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(upload).partNumber(1),
                RequestBody.fromBytes(new byte[1024])).eTag();
        assertThat(created).as("told of a part").isEmpty();

        s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(upload)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(eTag).build())));

        assertThat(created).containsExactly(new S3Location(BUCKET, key));
    }

    @Test
    void aCopyIsToldAsTheNewObject() {
        store.put(new S3Location(BUCKET, "original.txt"), new byte[] {1});
        created.clear();

        store.client().copyObject(b -> b.sourceBucket(BUCKET).sourceKey("original.txt")
                .destinationBucket(BUCKET).destinationKey("copy.txt"));

        assertThat(created).containsExactly(new S3Location(BUCKET, "copy.txt"));
    }

    @Test
    void anUploadTheServerRefusedIsNotTold() throws Exception {
        byte[] body = "checked by MD5\n".getBytes(StandardCharsets.UTF_8);
        String wrongMd5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(new byte[1]));

        assertThatThrownBy(() -> store.client().putObject(b -> b.bucket(BUCKET).key("refused.txt").contentMD5(wrongMd5),
                RequestBody.fromBytes(body))).isInstanceOf(S3Exception.class);

        assertThat(created).isEmpty();
    }

    @Test
    void aListenerThatFailsDoesNotFailTheUpload() {
        server.subscribe(object -> {
            throw new IllegalStateException("a listener's own failure");
        });

        store.put(new S3Location(BUCKET, "still-stored.txt"), new byte[] {2});

        assertThat(store.read(new S3Location(BUCKET, "still-stored.txt"))).containsExactly(2);
        assertThat(created).containsExactly(new S3Location(BUCKET, "still-stored.txt"));
    }
}
