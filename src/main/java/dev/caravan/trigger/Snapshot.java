package dev.caravan.trigger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import dev.caravan.storage.S3Location;

/**
 * The objects under a data prefix at one moment, by key and ETag. Its hash identifies the training data: the same
 * objects give the same hash, so the same data never trains twice.
 */
public record Snapshot(S3Location location, List<Entry> objects, String hash) {

    /** One object of the snapshot. */
    public record Entry(String key, String etag, long size) {
    }

    public static Snapshot of(S3Location location, List<Entry> objects) {
        List<Entry> sorted = objects.stream().sorted(Comparator.comparing(Entry::key)).toList();
        return new Snapshot(location, sorted, hash(location, sorted));
    }

    public long totalBytes() {
        return objects.stream().mapToLong(Entry::size).sum();
    }

    private static String hash(S3Location location, List<Entry> objects) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(location.uri().getBytes(StandardCharsets.UTF_8));
            for (Entry entry : objects) {
                digest.update(("\n" + entry.key() + "\t" + entry.etag()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
