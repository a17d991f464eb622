package dev.caravan.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

/** Builds small IDX files, good and bad, byte by byte. */
final class IdxFixtures {

    private IdxFixtures() {
    }

    /** An image file of {@code count} images whose pixels are all {@code i % 256} for image {@code i}. */
    static byte[] images(int magic, int count, int rows, int cols) {
        ByteBuffer buffer = ByteBuffer.allocate(16 + count * rows * cols);
        buffer.putInt(magic).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < rows * cols; p++) {
                buffer.put((byte) i);
            }
        }
        return buffer.array();
    }

    static byte[] images(int count) {
        return images(IdxReader.IMAGES_MAGIC, count, 28, 28);
    }

    static byte[] labels(int... labels) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
        buffer.putInt(IdxReader.LABELS_MAGIC).putInt(labels.length);
        for (int label : labels) {
            buffer.put((byte) label);
        }
        return buffer.array();
    }

    /** Labels 0, 1, ..., 9, 0, 1, ... */
    static byte[] labels(int count) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 10;
        }
        return labels(labels);
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
