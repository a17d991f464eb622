package dev.caravan.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDataTest {

    private static final Path MNIST = Path.of("data/mnist");

    @Test
    void loadsTheLocalTestSet() {
        MnistDataset test = MnistData.loadLocal(MNIST, MnistSplit.TEST);

        assertThat(test.count()).isEqualTo(10000);
        assertThat(test.rows()).isEqualTo(28);
        assertThat(test.cols()).isEqualTo(28);
        assertThat(test.labels()).startsWith(7, 2, 1, 0, 4, 1, 4, 9);
        assertThat(classCounts(test)).containsExactly(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
    }

    @Test
    void scalesPixelsToZeroToOne() {
        MnistDataset test = MnistData.loadLocal(MNIST, MnistSplit.TEST);
        float[] image = new float[2 + 784];

        test.copyPixels(0, image, 2);

        assertThat(image[0]).isZero();
        for (float pixel : image) {
            assertThat(pixel).isBetween(0f, 1f);
        }
        assertThat(image).contains(1f);
    }

    @Test
    void keepsTheFirstImagesOnly() {
        MnistDataset test = MnistData.loadLocal(MNIST, MnistSplit.TEST);

        MnistDataset first = test.first(3);

        assertThat(first.count()).isEqualTo(3);
        assertThat(first.labels()).containsExactly(7, 2, 1);
        assertThat(first.pixels()).hasSize(3 * 784);
    }

    @Test
    void namesTheMissingLocalFile(@TempDir Path empty) {
        assertThatThrownBy(() -> MnistData.loadLocal(empty, MnistSplit.TRAIN))
                .isInstanceOf(DataValidationException.class)
                .hasMessageStartingWith(empty.resolve("train-images-idx3-ubyte.gz") + ": is missing");
    }

    private static int[] classCounts(MnistDataset dataset) {
        int[] counts = new int[10];
        for (int i = 0; i < dataset.count(); i++) {
            counts[dataset.label(i)]++;
        }
        return counts;
    }
}
