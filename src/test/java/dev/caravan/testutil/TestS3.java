package dev.caravan.testutil;

import java.nio.file.Path;

import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;

/** Caravan's embedded S3 on a free loopback port, a client connected to it, and one bucket; closing stops both. */
public record TestS3(EmbeddedS3 server, ObjectStore store) implements AutoCloseable {

    /** Starts the server on files under {@code dir}, with bucket {@code bucket} created. */
    public static TestS3 start(Path dir, String bucket) {
        EmbeddedS3 server = EmbeddedS3.start(dir.resolve("s3"), "127.0.0.1", 0, "key", "secret");
        ObjectStore store = ObjectStore.connect(server.settings());
        store.createBucketIfMissing(bucket);
        return new TestS3(server, store);
    }

    @Override
    public void close() {
        store.close();
        server.close();
    }
}
