package dev.caravan.data;

import java.util.Arrays;

/**
 * Images and labels of one MNIST split, as read from its IDX files. Pixels are kept as unsigned bytes (one image
 * after another, row by row) to hold 60000 images in 47 MB; {@link #copyPixels} scales them to 0..1 for a model.
 */
public record MnistDataset(MnistSplit split, int count, int rows, int cols, byte[] pixels, byte[] labels) {

    public MnistDataset {
        if (pixels.length != (long) count * rows * cols || labels.length != count) {
            throw new IllegalArgumentException("a dataset of " + count + " images of " + rows + "x" + cols
                    + " needs " + (long) count * rows * cols + " pixels and " + count + " labels, not "
                    + pixels.length + " and " + labels.length);
        }
    }

    /** Pixels per image. */
    public int imageSize() {
        return rows * cols;
    }

    /** The digit shown by image {@code index}. */
    public int label(int index) {
        return labels[index];
    }

    /** Writes image {@code index} into {@code target} from {@code offset}, each pixel scaled from 0..255 to 0..1. */
    public void copyPixels(int index, float[] target, int offset) {
        int size = imageSize();
        int start = index * size;
        for (int i = 0; i < size; i++) {
            target[offset + i] = (pixels[start + i] & 0xFF) / 255f;
        }
    }

    /** The first {@code limit} images, or this dataset when it has no more than that. */
    public MnistDataset first(int limit) {
        if (limit >= count) {
            return this;
        }
        return new MnistDataset(split, limit, rows, cols,
                Arrays.copyOf(pixels, limit * imageSize()), Arrays.copyOf(labels, limit));
    }
}
