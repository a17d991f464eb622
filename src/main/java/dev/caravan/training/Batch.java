package dev.caravan.training;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import dev.caravan.data.MnistDataset;

/** Some images of a dataset, pixels scaled to 0..1, with their labels, ready to feed a graph. */
record Batch(int size, int rows, int cols, float[] pixels, int[] labels) {

    /** The images at {@code indices}. */
    static Batch of(MnistDataset dataset, int[] indices, int from, int size) {
        int imageSize = dataset.imageSize();
        float[] pixels = new float[size * imageSize];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            dataset.copyPixels(indices[from + i], pixels, i * imageSize);
            labels[i] = dataset.label(indices[from + i]);
        }
        return new Batch(size, dataset.rows(), dataset.cols(), pixels, labels);
    }

    /** The {@code size} images from {@code start} on. */
    static Batch range(MnistDataset dataset, int start, int size) {
        int[] indices = new int[size];
        for (int i = 0; i < size; i++) {
            indices[i] = start + i;
        }
        return of(dataset, indices, 0, size);
    }

    TFloat32 imageTensor() {
        return TFloat32.tensorOf(Shape.of(size, rows, cols), DataBuffers.of(pixels, true, false));
    }

    TInt32 labelTensor() {
        return TInt32.tensorOf(Shape.of(size), DataBuffers.of(labels, true, false));
    }
}
