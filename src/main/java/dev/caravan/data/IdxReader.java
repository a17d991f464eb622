package dev.caravan.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads MNIST IDX files, gzip-compressed (recognised by the gzip magic {@code 1f 8b}) or raw, and checks everything
 * a trainer relies on: magic number, 28x28 images, a length that matches the header, labels 0..9.
 */
final class IdxReader {

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    static final int ROWS = 28;
    static final int COLS = 28;

    private static final int IMAGES_HEADER = 16;
    private static final int LABELS_HEADER = 8;

    /** The content of an image file: {@code count} images of {@code rows x cols} unsigned bytes. */
    record Images(int count, int rows, int cols, byte[] pixels) {
    }

    private IdxReader() {
    }

    static Images readImages(InputStream raw, String source) {
        try (InputStream in = decompressed(raw)) {
            ByteBuffer header = header(in, IMAGES_HEADER, IMAGES_MAGIC, source);
            int count = count(header.getInt(), source);
            int rows = header.getInt();
            int cols = header.getInt();
            if (rows != ROWS || cols != COLS) {
                throw new DataValidationException(source, "images are " + rows + "x" + cols + " pixels, expected "
                        + ROWS + "x" + COLS + "; upload MNIST images of " + ROWS + "x" + COLS + " pixels");
            }
            byte[] pixels = payload(in, (long) count * rows * cols, count + " images of " + rows + "x" + cols, source);
            return new Images(count, rows, cols, pixels);
        } catch (IOException e) {
            throw readFailure(e, source);
        }
    }

    static byte[] readLabels(InputStream raw, String source) {
        try (InputStream in = decompressed(raw)) {
            ByteBuffer header = header(in, LABELS_HEADER, LABELS_MAGIC, source);
            int count = count(header.getInt(), source);
            byte[] labels = payload(in, count, count + " labels", source);
            checkDigits(labels, source);
            return labels;
        } catch (IOException e) {
            throw readFailure(e, source);
        }
    }

    private static InputStream decompressed(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        return gzip ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** The header after its magic number, which is checked first: a wrong file is named as such, not as short. */
    private static ByteBuffer header(InputStream in, int length, int magic, String source) throws IOException {
        String kind = magic == IMAGES_MAGIC ? "an image" : "a label";
        byte[] bytes = in.readNBytes(length);
        if (bytes.length == 0) {
            throw new DataValidationException(source, "is empty; upload " + kind + " file in IDX format");
        }
        if (bytes.length >= 4) {
            checkMagic(ByteBuffer.wrap(bytes).getInt(), magic, source);
        }
        if (bytes.length < length) {
            throw new DataValidationException(source, "has only " + bytes.length + " bytes, less than the "
                    + length + "-byte IDX header of " + kind + " file; the file is truncated, upload it again");
        }
        return ByteBuffer.wrap(bytes, 4, length - 4);
    }

    private static void checkMagic(int magic, int expected, String source) {
        if (magic == expected) {
            return;
        }
        String expectedKind = expected == IMAGES_MAGIC ? "image" : "label";
        String hint = magic == IMAGES_MAGIC || magic == LABELS_MAGIC
                ? " it is " + (magic == IMAGES_MAGIC ? "an image" : "a label") + " file under the name of a "
                        + expectedKind + " file; check that images and labels are not swapped"
                : " upload an MNIST " + expectedKind + " file in IDX format (gzip-compressed or raw)";
        throw new DataValidationException(source, String.format(
                "magic number 0x%08X is not 0x%08X (IDX %s file);%s", magic, expected, expectedKind, hint));
    }

    private static int count(int count, String source) {
        if (count < 0) {
            throw new DataValidationException(source, "the header announces a negative item count (" + count
                    + "); the header is damaged, upload the file again");
        }
        return count;
    }

    private static byte[] payload(InputStream in, long expected, String announced, String source) throws IOException {
        if (expected > Integer.MAX_VALUE - 16) {
            throw new DataValidationException(source, "the header announces " + announced
                    + ", more than one file can hold; the header is damaged, upload the file again");
        }
        byte[] payload = in.readNBytes((int) expected);
        if (payload.length < expected) {
            throw new DataValidationException(source, "is truncated: the header announces " + announced + " ("
                    + expected + " bytes after the header) but only " + payload.length
                    + " bytes follow; upload the complete file");
        }
        if (in.read() != -1) {
            throw new DataValidationException(source, "has more data than the " + announced
                    + " its header announces; the header count is wrong or files were joined, upload the original file");
        }
        return payload;
    }

    private static void checkDigits(byte[] labels, String source) {
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xFF;
            if (label > 9) {
                throw new DataValidationException(source, "label " + label + " at index " + i
                        + " is out of range 0..9; upload a label file with digits 0..9 only");
            }
        }
    }

    private static RuntimeException readFailure(IOException e, String source) {
        // GZIPInputStream reports damaged data as ZipException and cut-off data as EOFException.
        if (e instanceof ZipException || e instanceof EOFException) {
            return new DataValidationException(source, "is not valid gzip data (" + e.getMessage()
                    + "); the file is damaged or cut off, upload it again");
        }
        return new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
    }
}
