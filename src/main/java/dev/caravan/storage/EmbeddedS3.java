package dev.caravan.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.Consumer;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server in this JVM (s3proxy), storing objects as files below a folder. It takes what current SDKs
 * and the aws cli send by default: aws-chunked bodies, signed or not, with a trailing checksum. It tells its
 * subscribers of each object it stores, as a bucket notification would.
 */
public final class EmbeddedS3 implements ObjectCreatedEvents, AutoCloseable {

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final NotifyingBlobStore store;
    private final S3Settings settings;

    private EmbeddedS3(S3Proxy proxy, BlobStoreContext context, NotifyingBlobStore store, S3Settings settings) {
        this.proxy = proxy;
        this.context = context;
        this.store = store;
        this.settings = settings;
    }

    /** Starts a server on {@code host:port} (port 0 picks a free one) with objects stored below {@code dir}. */
    public static EmbeddedS3 start(Path dir, String host, int port, String accessKeyId, String secretAccessKey) {
        try {
            Files.createDirectories(dir);
            Properties properties = new Properties();
            properties.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
            // The NIO.2 filesystem store lists a prefix twice as fast as jclouds' own, on the same files and ETags.
            // Its context wants credentials of its own; they guard nothing, as the store is only reached through S3.
            BlobStoreContext context = ContextBuilder.newBuilder("filesystem-nio2")
                    .credentials("caravan", "caravan")
                    .overrides(properties)
                    .build(BlobStoreContext.class);
            // Outermost, so that an upload the refusal check failed tells nobody.
            NotifyingBlobStore store = new NotifyingBlobStore(new RefusalRelayingBlobStore(context.getBlobStore()));
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(store)
                    .endpoint(URI.create("http://" + host + ":" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKeyId, secretAccessKey)
                    .ignoreUnknownHeaders(true)
                    .build();
            proxy.start();
            waitUntilStarted(proxy);
            URI endpoint = URI.create("http://" + host + ":" + proxy.getPort());
            return new EmbeddedS3(proxy, context, store,
                    new S3Settings(endpoint, "us-east-1", accessKeyId, secretAccessKey, false));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the embedded S3 folder " + dir, e);
        } catch (Exception e) {
            throw new IllegalStateException("the embedded S3 server did not start on " + host + ":" + port
                    + " (" + e.getMessage() + "); is the port in use? Set caravan.s3.embedded.port to another one", e);
        }
    }

    @Override
    public void subscribe(Consumer<S3Location> listener) {
        store.subscribe(listener);
    }

    /** The endpoint and credentials that reach this server. */
    public S3Settings settings() {
        return settings;
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the embedded S3 server did not stop cleanly", e);
        } finally {
            context.close();
        }
    }

    private static void waitUntilStarted(S3Proxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
                throw new IllegalStateException("state " + proxy.getState());
            }
            Thread.sleep(10);
        }
    }
}
