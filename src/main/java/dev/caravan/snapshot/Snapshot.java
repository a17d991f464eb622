package dev.caravan.snapshot;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import dev.caravan.storage.S3Location;

/**
 * The objects under a data prefix at one moment, by key and ETag, summed up: how many, how many bytes, and a hash
 * that identifies the training data. The same objects give the same hash, so the same data never trains twice.
 */
public record Snapshot(S3Location location, int objectCount, long totalBytes, String hash) {

    /** One object of the snapshot. */
    public record Entry(String key, String etag, long size) {
    }

    /** The snapshot of {@code objects}, in any order. */
    public static Snapshot of(S3Location location, List<Entry> objects) {
        return ofListing(location, objects.stream().sorted(Comparator.comparing(Entry::key)).toList());
    }

    /**
     * The snapshot of a listing in key order, as S3 lists: the objects are taken one at a time and none is kept, so
     * a prefix of a million objects takes no more memory than one of ten.
     */
    public static Snapshot ofListing(S3Location location, Iterable<Entry> inKeyOrder) {
        MessageDigest digest = sha256();
        digest.update(location.uri().getBytes(StandardCharsets.UTF_8));
        int count = 0;
        long bytes = 0;
        for (Entry entry : inKeyOrder) {
            digest.update(("\n" + entry.key() + "\t" + entry.etag()).getBytes(StandardCharsets.UTF_8));
            count++;
            bytes += entry.size();
        }
        return new Snapshot(location, count, bytes, HexFormat.of().formatHex(digest.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
