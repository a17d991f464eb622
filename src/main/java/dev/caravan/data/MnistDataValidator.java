package dev.caravan.data;

import java.util.ArrayList;
import java.util.List;

import dev.caravan.data.MnistData.S3File;
import dev.caravan.data.MnistData.S3Files;
import dev.caravan.data.ValidationReport.Content;
import dev.caravan.data.ValidationReport.ObjectReport;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/**
 * Checks that a data prefix holds a complete, readable MNIST: both splits present, valid gzip or raw IDX, 28x28
 * images, lengths that match the headers, one label per image, labels 0..9.
 */
public final class MnistDataValidator {

    /**
     * Reads every MNIST object below {@code dataPrefix} once.
     *
     * @throws DataValidationException naming the first faulty object, the problem and what to do
     */
    public ValidationReport validate(ObjectStore store, S3Location dataPrefix) {
        S3Files files = S3Files.list(store, dataPrefix);
        // Every object is looked up before any is read, so a missing one is reported at once, not after a slow read.
        for (MnistSplit split : MnistSplit.values()) {
            files.find(split.imagesName());
            files.find(split.labelsName());
        }
        List<ObjectReport> objects = new ArrayList<>();
        for (MnistSplit split : MnistSplit.values()) {
            int count = MnistData.read(split, files).count();
            objects.add(report(files.find(split.imagesName()), split, Content.IMAGES, count));
            objects.add(report(files.find(split.labelsName()), split, Content.LABELS, count));
        }
        return new ValidationReport(files.prefix(), objects);
    }

    private static ObjectReport report(S3File file, MnistSplit split, Content content, int count) {
        return new ObjectReport(file.location(), split, content, file.size(), count);
    }
}
