package dev.caravan.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.caravan.testutil.FaultyS3Proxy;
import dev.caravan.testutil.FaultyS3Proxy.Fault;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Every S3 call retries faults with the SDK's backoff, then fails naming the endpoint, the operation and the object. */
class ObjectStoreFaultsTest {

    private static final S3Location OBJECT = S3Location.parse("s3://faults/data/object.txt");

    @TempDir
    static Path dir;

    static EmbeddedS3 s3;
    static FaultyS3Proxy proxy;
    static ObjectStore store;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.start(dir.resolve("s3"), "127.0.0.1", 0, "key", "secret");
        proxy = FaultyS3Proxy.start(s3.settings().endpoint());
        S3Settings behindProxy = new S3Settings(proxy.endpoint(), "us-east-1", "key", "secret", false, 3);
        store = ObjectStore.connect(behindProxy);
        store.createBucketIfMissing(OBJECT.bucket());
        store.put(OBJECT, "hello".getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void heal() {
        proxy.heal();
    }

    @AfterAll
    static void stop() throws Exception {
        store.close();
        proxy.close();
        s3.close();
    }

    @Test
    void a503ThatLastsFailsAfterTheAttemptsNamingEndpointOperationAndObject() {
        proxy.inject(Fault.ERROR_503, FaultyS3Proxy.Match.of("GET", "/faults/data/"));

        assertThatThrownBy(() -> store.read(OBJECT)).isInstanceOf(S3OperationException.class)
                .hasMessageStartingWith("S3 at " + proxy.endpoint() + " failed GetObject s3://faults/data/object.txt"
                        + " after 3 attempts: 503 SlowDown (Please reduce your request rate.)");
        assertThat(proxy.faulted()).isEqualTo(3);
    }

    @Test
    void anUnreachableS3FailsTheListingAfterTheAttempts() {
        proxy.inject(Fault.UNREACHABLE, FaultyS3Proxy.Match.all());

        assertThatThrownBy(() -> store.list(S3Location.parse("s3://faults/data/")))
                .isInstanceOf(S3OperationException.class)
                .hasMessageContaining("failed ListObjectsV2 s3://faults/data/ after 3 attempts: no answer (");
        assertThat(proxy.faulted()).isEqualTo(3);
    }

    @Test
    void a500OnUploadFailsNamingPutObject() {
        proxy.inject(Fault.ERROR_500, FaultyS3Proxy.Match.of("PUT", "/faults/"));

        assertThatThrownBy(() -> store.put(S3Location.parse("s3://faults/data/other.txt"), new byte[] {1}))
                .hasMessageContaining("failed PutObject s3://faults/data/other.txt after 3 attempts: 500 InternalError");
    }

    @Test
    void faultsFewerThanTheAttemptsAreNotSeen() {
        proxy.inject(Fault.ERROR_503, FaultyS3Proxy.Match.all(), 2);

        assertThat(new String(store.read(OBJECT), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(proxy.faulted()).isEqualTo(2);
    }

    @Test
    void aMissingObjectIsAnAnswerNotAFault() {
        assertThatThrownBy(() -> store.read(S3Location.parse("s3://faults/data/missing.txt"))).isInstanceOf(NoSuchKeyException.class);
    }
}
