package dev.caravan.data;

import java.util.List;

import dev.caravan.storage.S3Location;

/** What a successful validation found: every MNIST object with its size and item count. */
public record ValidationReport(S3Location dataPrefix, List<ObjectReport> objects) {

    public ValidationReport {
        objects = List.copyOf(objects);
    }

    /** One checked object: which split and content it holds, how many bytes, and how many images or labels. */
    public record ObjectReport(S3Location object, MnistSplit split, Content content, long sizeBytes, int count) {
    }

    /** What an IDX object holds. */
    public enum Content {
        IMAGES,
        LABELS
    }

    /** The number of examples (images, each with its label) in {@code split}. */
    public int examples(MnistSplit split) {
        return objects.stream()
                .filter(o -> o.split() == split && o.content() == Content.IMAGES)
                .mapToInt(ObjectReport::count)
                .sum();
    }
}
