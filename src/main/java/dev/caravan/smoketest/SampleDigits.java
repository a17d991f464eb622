package dev.caravan.smoketest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The ten digits shipped for smoke tests (one per class, MNIST test image 0, a 7, first); see smoketest/README.md. */
public final class SampleDigits {

    private static final String FOLDER = "/smoketest/";

    private SampleDigits() {
    }

    public static List<SampleDigit> load() {
        try (InputStream images = open("digits-images.idx3");
             InputStream labels = open("digits-labels.idx1");
             InputStream sources = open("digits-sources.txt")) {
            byte[][] pixels = MnistIdx.readImages(images, Integer.MAX_VALUE);
            byte[] digits = MnistIdx.readLabels(labels, Integer.MAX_VALUE);
            List<String> indexes = new BufferedReader(new InputStreamReader(sources, StandardCharsets.US_ASCII)).lines()
                    .filter(line -> !line.isBlank()).toList();
            if (pixels.length != digits.length || digits.length != indexes.size()) {
                throw new IOException("the sample digit files disagree: " + pixels.length + " images, " + digits.length
                        + " labels, " + indexes.size() + " sources");
            }
            List<SampleDigit> samples = new ArrayList<>();
            for (int i = 0; i < digits.length; i++) {
                samples.add(new SampleDigit(Integer.parseInt(indexes.get(i).trim()), digits[i], MnistIdx.toFloats(pixels[i])));
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
