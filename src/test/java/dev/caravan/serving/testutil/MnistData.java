package dev.caravan.serving.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.caravan.smoketest.MnistIdx;

/** The MNIST files in the project's {@code data/mnist} folder, for tests that need real digits. */
public final class MnistData {

    private MnistData() {
    }

    /** Labelled digits: pixels 0..1 row by row, and the digit each shows. */
    public record Digits(float[][] images, int[] labels) {

        public int size() {
            return labels.length;
        }
    }

    public static Digits train(int limit) {
        return read("train", limit);
    }

    public static Digits test(int limit) {
        return read("t10k", limit);
    }

    /** {@code data/mnist} in the working folder or one of its parents (tests run in the project folder). */
    public static Path folder() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(Path.of("data", "mnist"));
            if (Files.isRegularFile(candidate.resolve("t10k-images-idx3-ubyte.gz"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no data/mnist folder with the MNIST files above " + Path.of("").toAbsolutePath());
    }

    private static Digits read(String prefix, int limit) {
        Path dir = folder();
        try (InputStream images = Files.newInputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
             InputStream labels = Files.newInputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            byte[][] raw = MnistIdx.readImages(images, limit);
            byte[] rawLabels = MnistIdx.readLabels(labels, limit);
            float[][] pixels = new float[raw.length][];
            int[] digits = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = MnistIdx.toFloats(raw[i]);
                digits[i] = rawLabels[i];
            }
            return new Digits(pixels, digits);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the MNIST " + prefix + " files in " + dir, e);
        }
    }
}
