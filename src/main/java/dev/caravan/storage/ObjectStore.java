package dev.caravan.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The few S3 operations Caravan needs, over the AWS SDK, with locations written as {@code s3://bucket/key}. */
public final class ObjectStore implements AutoCloseable {

    private final S3Client s3;

    public ObjectStore(S3Client s3) {
        this.s3 = s3;
    }

    /** A path-style client for the given settings. */
    public static ObjectStore connect(S3Settings settings) {
        return new ObjectStore(client(settings));
    }

    public static S3Client client(S3Settings settings) {
        return S3Client.builder()
                .endpointOverride(settings.endpoint())
                .region(Region.of(settings.region()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())))
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64))
                .build();
    }

    public S3Client client() {
        return s3;
    }

    public void createBucketIfMissing(String bucket) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    /** Every object below a prefix, in key order. */
    public List<S3Object> list(S3Location prefix) {
        List<S3Object> objects = new ArrayList<>();
        listing(prefix).forEach(objects::add);
        return objects;
    }

    /** Every object below a prefix, in key order, a page of up to 1000 at a time as it is iterated. */
    public Iterable<S3Object> listing(S3Location prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(prefix.bucket()).prefix(prefix.key())).contents();
    }

    public boolean exists(S3Location object) {
        return s3.listObjectsV2(b -> b.bucket(object.bucket()).prefix(object.key()).maxKeys(1))
                .contents().stream().anyMatch(o -> o.key().equals(object.key()));
    }

    public ResponseInputStream<GetObjectResponse> open(S3Location object) {
        return s3.getObject(b -> b.bucket(object.bucket()).key(object.key()));
    }

    public byte[] read(S3Location object) {
        return s3.getObjectAsBytes(b -> b.bucket(object.bucket()).key(object.key())).asByteArray();
    }

    public void put(S3Location object, byte[] content) {
        s3.putObject(b -> b.bucket(object.bucket()).key(object.key()), RequestBody.fromBytes(content));
    }

    public void put(S3Location object, Path file) {
        s3.putObject(b -> b.bucket(object.bucket()).key(object.key()), RequestBody.fromFile(file));
    }

    public void put(S3Location object, InputStream content, long length) {
        s3.putObject(b -> b.bucket(object.bucket()).key(object.key()), RequestBody.fromInputStream(content, length));
    }

    public void delete(S3Location object) {
        s3.deleteObject(b -> b.bucket(object.bucket()).key(object.key()));
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
