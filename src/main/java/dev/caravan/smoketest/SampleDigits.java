package dev.caravan.smoketest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.caravan.data.MnistData;
import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;

/**
 * The ten digits shipped with Caravan (one per class, MNIST test image 0, a 7, first), which {@code caravan predict}
 * sends when given no picture; see smoketest/README.md.
 */
public final class SampleDigits {

    private static final String FOLDER = "/smoketest/";

    private SampleDigits() {
    }

    public static List<SampleDigit> load() {
        try (InputStream images = open("digits-images.idx3");
             InputStream labels = open("digits-labels.idx1");
             InputStream sources = open("digits-sources.txt")) {
            MnistDataset digits = MnistData.read(MnistSplit.TEST, images, FOLDER + "digits-images.idx3", labels,
                    FOLDER + "digits-labels.idx1");
            List<String> indexes = new BufferedReader(new InputStreamReader(sources, StandardCharsets.US_ASCII)).lines()
                    .filter(line -> !line.isBlank()).toList();
            if (digits.count() != indexes.size()) {
                throw new IOException("the sample digit files disagree: " + digits.count() + " digits, "
                        + indexes.size() + " sources");
            }
            List<SampleDigit> samples = new ArrayList<>();
            for (int i = 0; i < digits.count(); i++) {
                float[] pixels = new float[digits.imageSize()];
                digits.copyPixels(i, pixels, 0);
                samples.add(new SampleDigit(Integer.parseInt(indexes.get(i).trim()), digits.label(i), pixels));
            }
            return List.copyOf(samples);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sample digits in the class path folder " + FOLDER, e);
        }
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = SampleDigits.class.getResourceAsStream(FOLDER + name);
        if (in == null) {
            throw new IOException(FOLDER + name + " is missing from the class path; rebuild Caravan");
        }
        return in;
    }
}
