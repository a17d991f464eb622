package dev.caravan.storage;

import java.net.URI;

/** An object or prefix in a bucket, written as {@code s3://bucket/key}. */
public record S3Location(String bucket, String key) {

    public S3Location {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("an S3 location needs a bucket");
        }
        key = key == null ? "" : key;
    }

    /** Parses {@code s3://bucket/key}; the key may be empty. */
    public static S3Location parse(String uri) {
        URI parsed = URI.create(uri);
        if (!"s3".equals(parsed.getScheme()) || parsed.getHost() == null) {
            throw new IllegalArgumentException("'" + uri + "' is not an S3 location; write it as s3://bucket/key");
        }
        String path = parsed.getPath() == null ? "" : parsed.getPath();
        return new S3Location(parsed.getHost(), path.startsWith("/") ? path.substring(1) : path);
    }

    /** This location as a prefix: its key ends with one slash, or is empty for the bucket's root. */
    public S3Location asPrefix() {
        return key.isEmpty() || key.endsWith("/") ? this : new S3Location(bucket, key + "/");
    }

    /** The child {@code name} below this location taken as a prefix. */
    public S3Location resolve(String name) {
        return new S3Location(bucket, asPrefix().key + name);
    }

    public String uri() {
        return "s3://" + bucket + "/" + key;
    }

    @Override
    public String toString() {
        return uri();
    }
}
