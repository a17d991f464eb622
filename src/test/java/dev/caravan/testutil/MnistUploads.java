package dev.caravan.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/** Puts MNIST (or a damaged copy of it) under a data prefix, as a user's upload would. */
public final class MnistUploads {

    public static final Path DATA = Path.of("data", "mnist");
    public static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    private MnistUploads() {
    }

    public static void uploadAll(ObjectStore store, S3Location prefix) {
        FILES.forEach(file -> store.put(prefix.resolve(file), DATA.resolve(file)));
    }

    public static void marker(ObjectStore store, S3Location prefix) {
        store.put(prefix.resolve("_SUCCESS"), String.valueOf(System.nanoTime()).getBytes());
    }

    /** A gzip-compressed label file whose label at {@code index} is {@code label}, out of range when above 9. */
    public static byte[] labelsWith(int count, int index, int label) {
        byte[] raw = new byte[8 + count];
        raw[3] = 0x01;
        raw[2] = 0x08;
        raw[4] = (byte) (count >>> 24);
        raw[5] = (byte) (count >>> 16);
        raw[6] = (byte) (count >>> 8);
        raw[7] = (byte) count;
        raw[8 + index] = (byte) label;
        return gzip(raw);
    }

    public static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] read(String file) {
        try {
            return Files.readAllBytes(DATA.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
