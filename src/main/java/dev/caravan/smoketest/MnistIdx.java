package dev.caravan.smoketest;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Reads MNIST's IDX files (images {@code 0x00000803}, labels {@code 0x00000801}), plain or gzip-compressed. */
public final class MnistIdx {

    public static final int ROWS = 28;
    public static final int COLUMNS = 28;
    public static final int PIXELS = ROWS * COLUMNS;

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private MnistIdx() {
    }

    /** Up to {@code limit} 28x28 images, one byte per pixel (0 blank .. 255 ink), row by row. */
    public static byte[][] readImages(InputStream in, int limit) throws IOException {
        DataInputStream data = new DataInputStream(unzipped(in));
        int count = header(data, IMAGES_MAGIC, "images");
        int rows = data.readInt();
        int columns = data.readInt();
        if (rows != ROWS || columns != COLUMNS) {
            throw new IOException("expected 28x28 MNIST images, the IDX file holds " + rows + "x" + columns);
        }
        byte[][] images = new byte[Math.min(count, limit)][PIXELS];
        for (byte[] image : images) {
            data.readFully(image);
        }
        return images;
    }

    /** Up to {@code limit} labels, 0..9. */
    public static byte[] readLabels(InputStream in, int limit) throws IOException {
        DataInputStream data = new DataInputStream(unzipped(in));
        byte[] labels = new byte[Math.min(header(data, LABELS_MAGIC, "labels"), limit)];
        data.readFully(labels);
        return labels;
    }

    /** Pixels scaled to 0..1, as the MNIST model takes them. */
    public static float[] toFloats(byte[] image) {
        float[] pixels = new float[image.length];
        for (int i = 0; i < image.length; i++) {
            pixels[i] = (image[i] & 0xff) / 255f;
        }
        return pixels;
    }

    private static int header(DataInputStream data, int magic, String what) throws IOException {
        int actual = data.readInt();
        if (actual != magic) {
            throw new IOException(String.format("not an IDX %s file: magic number 0x%08x, expected 0x%08x",
                    what, actual, magic));
        }
        return data.readInt();
    }

    // The gzip magic (1f 8b) tells compressed files from plain ones, so callers need not know which they have.
    private static InputStream unzipped(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        return first == 0x1f && second == 0x8b ? new GZIPInputStream(buffered, 1 << 16) : buffered;
    }
}
