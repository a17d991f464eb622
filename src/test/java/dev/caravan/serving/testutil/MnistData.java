package dev.caravan.serving.testutil;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;

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
        return read(MnistSplit.TRAIN, limit);
    }

    public static Digits test(int limit) {
        return read(MnistSplit.TEST, limit);
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

    private static Digits read(MnistSplit split, int limit) {
        MnistDataset data = dev.caravan.data.MnistData.loadLocal(folder(), split).first(limit);
        float[][] pixels = new float[data.count()][data.imageSize()];
        int[] digits = new int[data.count()];
        for (int i = 0; i < data.count(); i++) {
            data.copyPixels(i, pixels[i], 0);
            digits[i] = data.label(i);
        }
        return new Digits(pixels, digits);
    }
}
