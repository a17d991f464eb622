package dev.caravan.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Loads an MNIST split from the four standard IDX files, from S3 (as a trainer does) or from a local folder such as
 * {@code data/mnist/} (for tests and benchmarks). Each file may be gzip-compressed ({@code .gz}) or raw.
 */
public final class MnistData {

    private MnistData() {
    }

    /** Loads {@code split} from the objects below {@code prefix}; fails with a {@link DataValidationException}. */
    public static MnistDataset load(ObjectStore store, S3Location prefix, MnistSplit split) {
        return read(split, S3Files.list(store, prefix));
    }

    /** Loads {@code split} from the files in {@code dir}; fails with a {@link DataValidationException}. */
    public static MnistDataset loadLocal(Path dir, MnistSplit split) {
        return read(split, new LocalFiles(dir));
    }

    /**
     * Reads {@code split} from an images and a labels IDX stream, gzip-compressed or raw, named in messages by
     * {@code imagesName} and {@code labelsName}; fails with a {@link DataValidationException}.
     */
    public static MnistDataset read(MnistSplit split, InputStream images, String imagesName, InputStream labels,
                                    String labelsName) {
        return dataset(split, IdxReader.readImages(images, imagesName), imagesName,
                IdxReader.readLabels(labels, labelsName), labelsName);
    }

    static MnistDataset read(MnistSplit split, DataFiles files) {
        DataFile imagesFile = files.find(split.imagesName());
        DataFile labelsFile = files.find(split.labelsName());
        IdxReader.Images images = imagesFile.read(in -> IdxReader.readImages(in, imagesFile.name()));
        byte[] labels = labelsFile.read(in -> IdxReader.readLabels(in, labelsFile.name()));
        return dataset(split, images, imagesFile.name(), labels, labelsFile.name());
    }

    private static MnistDataset dataset(MnistSplit split, IdxReader.Images images, String imagesName, byte[] labels,
                                        String labelsName) {
        if (images.count() != labels.length) {
            throw new DataValidationException(labelsName, "has " + labels.length + " labels but " + imagesName
                    + " has " + images.count() + " images; upload image and label files of the same split, with one"
                    + " label per image");
        }
        return new MnistDataset(split, images.count(), images.rows(), images.cols(), images.pixels(), labels);
    }

    /** One IDX file: its name for messages, its size, and its bytes. */
    interface DataFile {

        String name();

        long size();

        InputStream open() throws IOException;

        default <T> T read(Function<InputStream, T> reader) {
            try (InputStream in = open()) {
                return reader.apply(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + name() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Where IDX files are looked up by their standard name, {@code .gz} first. */
    interface DataFiles {

        DataFile find(String baseName);
    }

    private record LocalFiles(Path dir) implements DataFiles {

        @Override
        public DataFile find(String baseName) {
            for (String name : List.of(baseName + ".gz", baseName)) {
                Path file = dir.resolve(name);
                if (Files.isRegularFile(file)) {
                    return new LocalFile(file);
                }
            }
            throw new DataValidationException(dir.resolve(baseName + ".gz").toString(), "is missing (nor is there "
                    + baseName + "); put the MNIST IDX files in " + dir);
        }
    }

    private record LocalFile(Path file) implements DataFile {

        @Override
        public String name() {
            return file.toString();
        }

        @Override
        public long size() {
            try {
                return Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file);
        }
    }

    /** The objects below one prefix, listed once. */
    record S3Files(ObjectStore store, S3Location prefix, Map<String, S3Object> objects) implements DataFiles {

        static S3Files list(ObjectStore store, S3Location prefix) {
            S3Location base = prefix.asPrefix();
            Map<String, S3Object> objects = store.list(base).stream()
                    .collect(Collectors.toMap(S3Object::key, o -> o, (a, b) -> a));
            return new S3Files(store, base, objects);
        }

        @Override
        public S3File find(String baseName) {
            for (String name : List.of(baseName + ".gz", baseName)) {
                S3Object object = objects.get(prefix.resolve(name).key());
                if (object != null) {
                    return new S3File(store, prefix.resolve(name), object.size());
                }
            }
            throw new DataValidationException(prefix.resolve(baseName + ".gz").uri(), "is missing (nor is there an"
                    + " uncompressed " + baseName + "); upload the four MNIST IDX files train-images-idx3-ubyte.gz,"
                    + " train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz to "
                    + prefix.uri());
        }
    }

    record S3File(ObjectStore store, S3Location location, long size) implements DataFile {

        @Override
        public String name() {
            return location.uri();
        }

        @Override
        public InputStream open() {
            return store.open(location);
        }
    }
}
