package dev.caravan.evaluation;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;

import javax.imageio.ImageIO;

import dev.caravan.data.MnistDataset;

/** Turns a classifier's answers on a test set into an {@link Evaluation}: accuracy, confusion matrix, mistakes. */
final class ConfusionMatrix {

    private ConfusionMatrix() {
    }

    /** {@code predicted[i]} is the class the model gave test image {@code i}. */
    static Evaluation of(MnistDataset test, int[] predicted) {
        int classes = Math.max(IntStream.range(0, test.count()).map(test::label).max().orElse(0),
                Arrays.stream(predicted).max().orElse(0)) + 1;
        int[][] confusion = new int[classes][classes];
        int correct = 0;
        List<Evaluation.Misclassified> misclassified = new ArrayList<>();
        for (int i = 0; i < test.count(); i++) {
            int label = test.label(i);
            confusion[label][predicted[i]]++;
            if (label == predicted[i]) {
                correct++;
            } else if (misclassified.size() < Evaluation.MISCLASSIFIED_KEPT) {
                misclassified.add(new Evaluation.Misclassified(i, label, predicted[i], png(test, i)));
            }
        }
        List<String> labels = IntStream.range(0, classes).mapToObj(String::valueOf).toList();
        return new Evaluation("accuracy", test.count() == 0 ? 0 : (double) correct / test.count(), labels, confusion,
                misclassified);
    }

    /** Test image {@code index} as a grayscale PNG data URI (RFC 2397), as the IDX file has its pixels. */
    static String png(MnistDataset test, int index) {
        BufferedImage image = new BufferedImage(test.cols(), test.rows(), BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, test.cols(), test.rows(),
                Arrays.copyOfRange(test.pixels(), index * test.imageSize(), (index + 1) * test.imageSize()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a PNG in memory", e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
