package dev.caravan.data;

import static dev.caravan.data.IdxFixtures.gzip;
import static dev.caravan.data.IdxFixtures.images;
import static dev.caravan.data.IdxFixtures.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.caravan.data.ValidationReport.Content;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

class MnistDataValidatorTest {

    private static final Path MNIST = Path.of("data/mnist");

    @TempDir
    static Path s3Dir;

    private static EmbeddedS3 s3;
    private static ObjectStore store;

    private final MnistDataValidator validator = new MnistDataValidator();

    @BeforeAll
    static void startS3() {
        s3 = EmbeddedS3.start(s3Dir, "127.0.0.1", 0, "key", "secret");
        store = ObjectStore.connect(s3.settings());
        store.createBucketIfMissing("tfmnist");
    }

    @AfterAll
    static void stopS3() {
        store.close();
        s3.close();
    }

    @Test
    void acceptsTheRealMnistWithItsCounts() {
        S3Location prefix = S3Location.parse("s3://tfmnist/real/");
        store.uploadDirectory(MNIST, prefix);

        ValidationReport report = validator.validate(store, prefix);

        assertThat(report.examples(MnistSplit.TRAIN)).isEqualTo(60000);
        assertThat(report.examples(MnistSplit.TEST)).isEqualTo(10000);
        assertThat(report.objects()).hasSize(4).allSatisfy(o -> assertThat(o.sizeBytes()).isPositive());
        assertThat(report.objects()).extracting(o -> o.object().uri(), ValidationReport.ObjectReport::content,
                        ValidationReport.ObjectReport::count)
                .containsExactly(
                        tuple(
                                "s3://tfmnist/real/train-images-idx3-ubyte.gz", Content.IMAGES, 60000),
                        tuple(
                                "s3://tfmnist/real/train-labels-idx1-ubyte.gz", Content.LABELS, 60000),
                        tuple(
                                "s3://tfmnist/real/t10k-images-idx3-ubyte.gz", Content.IMAGES, 10000),
                        tuple(
                                "s3://tfmnist/real/t10k-labels-idx1-ubyte.gz", Content.LABELS, 10000));
    }

    @Test
    void acceptsUncompressedFilesUnderTheNamesWithoutGz() {
        S3Location prefix = S3Location.parse("s3://tfmnist/raw/");
        store.put(prefix.resolve("train-images-idx3-ubyte"), images(20));
        store.put(prefix.resolve("train-labels-idx1-ubyte"), labels(20));
        store.put(prefix.resolve("t10k-images-idx3-ubyte"), images(5));
        store.put(prefix.resolve("t10k-labels-idx1-ubyte"), labels(5));

        ValidationReport report = validator.validate(store, prefix);

        assertThat(report.examples(MnistSplit.TRAIN)).isEqualTo(20);
        assertThat(report.examples(MnistSplit.TEST)).isEqualTo(5);
    }

    @Test
    void aMissingTestSetIsAnError() {
        S3Location prefix = S3Location.parse("s3://tfmnist/no-test/");
        store.put(prefix.resolve("train-images-idx3-ubyte.gz"), gzip(images(20)));
        store.put(prefix.resolve("train-labels-idx1-ubyte.gz"), gzip(labels(20)));

        assertThatThrownBy(() -> validator.validate(store, prefix))
                .isInstanceOf(DataValidationException.class)
                .hasMessageStartingWith("s3://tfmnist/no-test/t10k-images-idx3-ubyte.gz: is missing")
                .hasMessageContaining("upload the four MNIST IDX files");
    }

    @Test
    void anEmptyObjectIsAnError() {
        S3Location prefix = smallValidSet("empty");
        store.put(prefix.resolve("t10k-labels-idx1-ubyte.gz"), new byte[0]);

        assertThatThrownBy(() -> validator.validate(store, prefix))
                .isInstanceOf(DataValidationException.class)
                .hasMessage("s3://tfmnist/empty/t10k-labels-idx1-ubyte.gz: is empty; upload a label file in IDX format");
    }

    @Test
    void corruptGzipIsAnError() {
        S3Location prefix = smallValidSet("corrupt");
        byte[] damaged = gzip(images(20));
        damaged[damaged.length - 5] ^= 0x11;
        store.put(prefix.resolve("train-images-idx3-ubyte.gz"), damaged);

        assertThatThrownBy(() -> validator.validate(store, prefix))
                .isInstanceOf(DataValidationException.class)
                .hasMessageStartingWith("s3://tfmnist/corrupt/train-images-idx3-ubyte.gz: is not valid gzip data");
    }

    @Test
    void aWrongMagicNumberIsAnError() {
        S3Location prefix = smallValidSet("magic");
        store.put(prefix.resolve("t10k-images-idx3-ubyte.gz"), gzip(images(0x12345678, 5, 28, 28)));

        assertThatThrownBy(() -> validator.validate(store, prefix))
                .isInstanceOf(DataValidationException.class)
                .hasMessageStartingWith("s3://tfmnist/magic/t10k-images-idx3-ubyte.gz: magic number 0x12345678");
    }

    @Test
    void imagesThatAreNot28By28AreAnError() {
        S3Location prefix = smallValidSet("dims");
        store.put(prefix.resolve("train-images-idx3-ubyte.gz"), gzip(images(IdxReader.IMAGES_MAGIC, 20, 28, 27)));

        assertThatThrownBy(() -> validator.validate(store, prefix))
                .isInstanceOf(DataValidationException.class)
                .hasMessageStartingWith("s3://tfmnist/dims/train-images-idx3-ubyte.gz: images are 28x27 pixels");
    }

    @Test
    void aTruncatedFileIsAnError() {
        S3Location prefix = smallValidSet("truncated");
        byte[] whole = images(20);
        store.put(prefix.resolve("train-images-idx3-ubyte.gz"), gzip(Arrays.copyOf(whole, whole.length - 1)));

        assertThatThrownBy(() -> validator.validate(store, prefix))
                .isInstanceOf(DataValidationException.class)
                .hasMessageStartingWith("s3://tfmnist/truncated/train-images-idx3-ubyte.gz: is truncated");
    }

    @Test
    void imageAndLabelCountsMustMatch() {
        S3Location prefix = smallValidSet("counts");
        store.put(prefix.resolve("train-labels-idx1-ubyte.gz"), gzip(labels(19)));

        assertThatThrownBy(() -> validator.validate(store, prefix))
                .isInstanceOf(DataValidationException.class)
                .hasMessage("s3://tfmnist/counts/train-labels-idx1-ubyte.gz: has 19 labels but"
                        + " s3://tfmnist/counts/train-images-idx3-ubyte.gz has 20 images; upload image and label"
                        + " files of the same split, with one label per image");
    }

    @Test
    void labelsMustBeDigits() {
        S3Location prefix = smallValidSet("data/mnist");
        int[] labels = new int[400];
        labels[345] = 12;
        store.put(prefix.resolve("train-images-idx3-ubyte.gz"), gzip(images(400)));
        store.put(prefix.resolve("train-labels-idx1-ubyte.gz"), gzip(labels(labels)));

        assertThatThrownBy(() -> validator.validate(store, prefix))
                .isInstanceOf(DataValidationException.class)
                .hasMessage("s3://tfmnist/data/mnist/train-labels-idx1-ubyte.gz: label 12 at index 345 is out of range"
                        + " 0..9; upload a label file with digits 0..9 only");
    }

    /** A small, valid MNIST-shaped set under its own prefix, so each test can spoil one object of it. */
    private static S3Location smallValidSet(String name) {
        S3Location prefix = new S3Location("tfmnist", name + "/");
        store.put(prefix.resolve("train-images-idx3-ubyte.gz"), gzip(images(20)));
        store.put(prefix.resolve("train-labels-idx1-ubyte.gz"), gzip(labels(20)));
        store.put(prefix.resolve("t10k-images-idx3-ubyte.gz"), gzip(images(5)));
        store.put(prefix.resolve("t10k-labels-idx1-ubyte.gz"), gzip(labels(5)));
        return prefix;
    }
}
