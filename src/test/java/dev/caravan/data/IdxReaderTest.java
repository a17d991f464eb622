package dev.caravan.data;

import static dev.caravan.data.IdxFixtures.gzip;
import static dev.caravan.data.IdxFixtures.images;
import static dev.caravan.data.IdxFixtures.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class IdxReaderTest {

    private static final String SOURCE = "s3://tfmnist/data/mnist/file";

    @Test
    void readsGzipAndRawImagesAlike() {
        IdxReader.Images fromGzip = readImages(gzip(images(3)));
        IdxReader.Images fromRaw = readImages(images(3));

        assertThat(fromGzip.count()).isEqualTo(3);
        assertThat(fromGzip.rows()).isEqualTo(28);
        assertThat(fromGzip.cols()).isEqualTo(28);
        assertThat(fromGzip.pixels()).hasSize(3 * 784).isEqualTo(fromRaw.pixels());
        assertThat(fromGzip.pixels()[784]).isEqualTo((byte) 1);
    }

    @Test
    void readsLabels() {
        assertThat(readLabels(gzip(labels(7, 2, 1, 0)))).containsExactly(7, 2, 1, 0);
    }

    @Test
    void rejectsAnEmptyFile() {
        assertThatThrownBy(() -> readImages(new byte[0]))
                .isInstanceOf(DataValidationException.class)
                .hasMessage(SOURCE + ": is empty; upload an image file in IDX format");
    }

    @Test
    void rejectsCorruptGzip() {
        byte[] damaged = gzip(images(50));
        for (int i = 20; i < damaged.length - 20; i++) {
            damaged[i] = (byte) (damaged[i] ^ 0x5a);
        }

        assertThatThrownBy(() -> readImages(damaged))
                .isInstanceOf(DataValidationException.class)
                .hasMessageStartingWith(SOURCE + ": is not valid gzip data (")
                .hasMessageEndingWith("); the file is damaged or cut off, upload it again");
    }

    @Test
    void rejectsCutOffGzip() {
        byte[] gzip = gzip(labels(1000));
        byte[] cutOff = Arrays.copyOf(gzip, gzip.length / 2);

        assertThatThrownBy(() -> readLabels(cutOff))
                .isInstanceOf(DataValidationException.class)
                .hasMessageContaining("is not valid gzip data")
                .hasMessageContaining("damaged or cut off");
    }

    @Test
    void rejectsAWrongMagicNumber() {
        assertThatThrownBy(() -> readImages(images(0x00000A03, 2, 28, 28)))
                .isInstanceOf(DataValidationException.class)
                .hasMessage(SOURCE + ": magic number 0x00000A03 is not 0x00000803 (IDX image file);"
                        + " upload an MNIST image file in IDX format (gzip-compressed or raw)");
    }

    @Test
    void recognisesSwappedImagesAndLabels() {
        assertThatThrownBy(() -> readImages(gzip(labels(3))))
                .isInstanceOf(DataValidationException.class)
                .hasMessageContaining("magic number 0x00000801 is not 0x00000803")
                .hasMessageContaining("check that images and labels are not swapped");
    }

    @Test
    void rejectsImagesThatAreNot28By28() {
        assertThatThrownBy(() -> readImages(gzip(images(IdxReader.IMAGES_MAGIC, 2, 32, 32))))
                .isInstanceOf(DataValidationException.class)
                .hasMessage(SOURCE + ": images are 32x32 pixels, expected 28x28; upload MNIST images of 28x28 pixels");
    }

    @Test
    void rejectsATruncatedFile() {
        byte[] whole = images(10);
        byte[] truncated = Arrays.copyOf(whole, whole.length - 100);

        assertThatThrownBy(() -> readImages(gzip(truncated)))
                .isInstanceOf(DataValidationException.class)
                .hasMessage(SOURCE + ": is truncated: the header announces 10 images of 28x28 (7840 bytes after the"
                        + " header) but only 7740 bytes follow; upload the complete file");
    }

    @Test
    void rejectsATruncatedHeader() {
        assertThatThrownBy(() -> readLabels(Arrays.copyOf(labels(5), 6)))
                .isInstanceOf(DataValidationException.class)
                .hasMessageContaining("has only 6 bytes, less than the 8-byte IDX header");
    }

    @Test
    void rejectsDataBeyondWhatTheHeaderAnnounces() {
        byte[] whole = labels(5);
        byte[] longer = Arrays.copyOf(whole, whole.length + 3);

        assertThatThrownBy(() -> readLabels(longer))
                .isInstanceOf(DataValidationException.class)
                .hasMessageContaining("has more data than the 5 labels its header announces");
    }

    @Test
    void rejectsLabelsOutsideZeroToNine() {
        int[] labels = new int[400];
        labels[345] = 12;

        assertThatThrownBy(() -> readLabels(gzip(labels(labels))))
                .isInstanceOf(DataValidationException.class)
                .hasMessage(SOURCE + ": label 12 at index 345 is out of range 0..9;"
                        + " upload a label file with digits 0..9 only");
    }

    private static IdxReader.Images readImages(byte[] content) {
        return IdxReader.readImages(new ByteArrayInputStream(content), SOURCE);
    }

    private static byte[] readLabels(byte[] content) {
        return IdxReader.readLabels(new ByteArrayInputStream(content), SOURCE);
    }
}
