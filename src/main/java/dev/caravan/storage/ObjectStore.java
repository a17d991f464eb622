package dev.caravan.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The few S3 operations Caravan needs, over the AWS SDK, with locations written as {@code s3://bucket/key}. A request
 * the client's retries could not carry through (no answer, 5xx, throttling) fails with an {@link S3OperationException}
 * naming the endpoint, the operation and the location; a 4xx answer (no such key, access denied) stays the SDK's own.
 */
public final class ObjectStore implements AutoCloseable {

    private final S3Client s3;
    private final URI endpoint;

    public ObjectStore(S3Client s3) {
        this.s3 = s3;
        this.endpoint = s3.serviceClientConfiguration().endpointOverride().orElse(URI.create("https://s3.amazonaws.com"));
    }

    /** A store over {@link S3Clients#standard} for the given settings. */
    public static ObjectStore connect(S3Settings settings) {
        return new ObjectStore(client(settings));
    }

    /** A path-style client for the given settings that retries as {@link S3Clients#standard} says. */
    public static S3Client client(S3Settings settings) {
        return S3Clients.standard(settings);
    }

    public S3Client client() {
        return s3;
    }

    public void createBucketIfMissing(String bucket) {
        try {
            call("HeadBucket", new S3Location(bucket, ""), () -> s3.headBucket(b -> b.bucket(bucket)));
        } catch (NoSuchBucketException e) {
            call("CreateBucket", new S3Location(bucket, ""), () -> s3.createBucket(b -> b.bucket(bucket)));
        }
    }

    /** Every object below a prefix, in key order. */
    public List<S3Object> list(S3Location prefix) {
        List<S3Object> objects = new ArrayList<>();
        listing(prefix).forEach(objects::add);
        return objects;
    }

    /**
     * Every object below a prefix, in key order, a page of up to 1000 at a time as it is iterated; a page that cannot
     * be read fails the iteration with an {@link S3OperationException}.
     */
    public Iterable<S3Object> listing(S3Location prefix) {
        Iterable<S3Object> pages = s3.listObjectsV2Paginator(b -> b.bucket(prefix.bucket()).prefix(prefix.key())).contents();
        return () -> new Iterator<>() {
            // Asking for the iterator already fetches the first page.
            private final Iterator<S3Object> objects = call("ListObjectsV2", prefix, pages::iterator);

            @Override
            public boolean hasNext() {
                return call("ListObjectsV2", prefix, objects::hasNext);
            }

            @Override
            public S3Object next() {
                return call("ListObjectsV2", prefix, objects::next);
            }
        };
    }

    /**
     * The folders directly below a prefix, as S3 lists them with the delimiter {@code /} (its common prefixes), e.g.
     * {@code s3://tfmnist/models/mnist/3/}, in key order.
     */
    public List<S3Location> folders(S3Location prefix) {
        S3Location base = prefix.asPrefix();
        List<S3Location> folders = new ArrayList<>();
        Iterable<CommonPrefix> pages = s3.listObjectsV2Paginator(b -> b.bucket(base.bucket()).prefix(base.key())
                .delimiter("/")).commonPrefixes();
        call("ListObjectsV2", base, () -> {
            pages.forEach(p -> folders.add(new S3Location(base.bucket(), p.prefix())));
            return null;
        });
        return folders;
    }

    /** Whether any object lies below a prefix. */
    public boolean isEmpty(S3Location prefix) {
        S3Location base = prefix.asPrefix();
        return call("ListObjectsV2", base, () -> s3.listObjectsV2(b -> b.bucket(base.bucket()).prefix(base.key())
                .maxKeys(1))).contents().isEmpty();
    }

    /**
     * Copies {@code from} to {@code to} inside S3 (AWS S3 CopyObject, one request, at most 5 GB), only while
     * {@code from} still has the ETag {@code etag} ({@code x-amz-copy-source-if-match}).
     *
     * @return the copy's ETag
     * @throws ObjectChangedException when {@code from} changed or went away since {@code etag} was read
     */
    public String copyIfMatch(S3Location from, String etag, S3Location to) {
        try {
            return call("CopyObject", from, () -> s3.copyObject(b -> b.sourceBucket(from.bucket()).sourceKey(from.key())
                    .copySourceIfMatch(etag).destinationBucket(to.bucket()).destinationKey(to.key())))
                    .copyObjectResult().eTag();
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 404) {
                throw new ObjectChangedException(from, etag, e);
            }
            throw e;
        }
    }

    /**
     * Writes {@code object} only if no object has its key (AWS S3 conditional writes, {@code If-None-Match: *}).
     *
     * @return false when an object with that key was there already; it is left as it was
     */
    public boolean putIfAbsent(S3Location object, byte[] content) {
        try {
            call("PutObject", object, () -> s3.putObject(b -> b.bucket(object.bucket()).key(object.key())
                    .ifNoneMatch("*"), RequestBody.fromBytes(content)));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    /** Deletes every object below a prefix, those named in {@code first} before the others. */
    public void deleteAll(S3Location prefix, String... first) {
        S3Location base = prefix.asPrefix();
        for (String name : first) {
            delete(base.resolve(name));
        }
        for (S3Object object : list(base)) {
            delete(new S3Location(base.bucket(), object.key()));
        }
    }

    public boolean exists(S3Location object) {
        return call("ListObjectsV2", object, () -> s3.listObjectsV2(b -> b.bucket(object.bucket()).prefix(object.key())
                .maxKeys(1))).contents().stream().anyMatch(o -> o.key().equals(object.key()));
    }

    /**
     * The object's metadata (ETag, Last-Modified, size) without its content.
     *
     * @throws software.amazon.awssdk.services.s3.model.NoSuchKeyException when there is no such object
     */
    public HeadObjectResponse head(S3Location object) {
        return call("HeadObject", object, () -> s3.headObject(b -> b.bucket(object.bucket()).key(object.key())));
    }

    public ResponseInputStream<GetObjectResponse> open(S3Location object) {
        return call("GetObject", object, () -> s3.getObject(b -> b.bucket(object.bucket()).key(object.key())));
    }

    public byte[] read(S3Location object) {
        return call("GetObject", object,
                () -> s3.getObjectAsBytes(b -> b.bucket(object.bucket()).key(object.key())).asByteArray());
    }

    public void put(S3Location object, byte[] content) {
        put(object, RequestBody.fromBytes(content));
    }

    public void put(S3Location object, Path file) {
        put(object, RequestBody.fromFile(file));
    }

    public void put(S3Location object, InputStream content, long length) {
        put(object, RequestBody.fromInputStream(content, length));
    }

    public void delete(S3Location object) {
        call("DeleteObject", object, () -> s3.deleteObject(b -> b.bucket(object.bucket()).key(object.key())));
    }

    private void put(S3Location object, RequestBody body) {
        call("PutObject", object, () -> s3.putObject(b -> b.bucket(object.bucket()).key(object.key()), body));
    }

    /** Runs one S3 request (with the client's retries), turning a fault into data naming where and what failed. */
    private <T> T call(String operation, S3Location location, Supplier<T> request) {
        try {
            return request.get();
        } catch (SdkException e) {
            if (S3OperationException.isFault(e)) {
                throw new S3OperationException(endpoint, operation, location, e);
            }
            throw e;
        }
    }

    /**
     * Uploads every file below {@code dir} under {@code prefix}, keeping relative paths. Files named in
     * {@code last} are uploaded after all others, so a reader that waits for them sees a complete tree.
     */
    public void uploadDirectory(Path dir, S3Location prefix, String... last) {
        List<Path> files = filesBelow(dir);
        List<String> lastNames = List.of(last);
        files.sort((a, b) -> Boolean.compare(lastNames.contains(dir.relativize(a).toString()),
                lastNames.contains(dir.relativize(b).toString())));
        for (Path file : files) {
            put(prefix.resolve(dir.relativize(file).toString().replace('\\', '/')), file);
        }
    }

    /** Downloads every object below {@code prefix} into {@code dir}, keeping relative paths. */
    public void downloadDirectory(S3Location prefix, Path dir) {
        S3Location base = prefix.asPrefix();
        for (S3Object object : list(base)) {
            String relative = object.key().substring(base.key().length());
            if (relative.isEmpty() || relative.endsWith("/")) {
                continue;
            }
            Path target = dir.resolve(relative).normalize();
            if (!target.startsWith(dir)) {
                throw new IllegalArgumentException("object key " + object.key() + " escapes " + dir);
            }
            try {
                Files.createDirectories(target.getParent());
                Files.write(target, read(new S3Location(base.bucket(), object.key())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + target, e);
            }
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    private static List<Path> filesBelow(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return new ArrayList<>(walk.filter(Files::isRegularFile).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }
}
