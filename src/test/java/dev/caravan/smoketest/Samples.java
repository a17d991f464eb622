package dev.caravan.smoketest;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Smoke-test samples made from the shipped sample digits, each expecting its label as {@code classes}. */
final class Samples {

    private Samples() {
    }

    static List<SmokeSample> digits() {
        return digits(0);
    }

    /** The digits with every expected class moved by {@code shift}: a correct model then answers them "wrong". */
    static List<SmokeSample> digits(int shift) {
        return SampleDigits.load().stream().map(d -> new SmokeSample("test image " + d.mnistIndex(),
                SmokeSamples.imageRequest(d.pixels(), MnistShape.ROWS, MnistShape.COLUMNS),
                Map.of("classes", new double[] {(d.label() + shift) % 10}), Optional.of(d.pixels()))).toList();
    }

    /** One JSON line asking about a digit, expecting {@code expected} as its answer. */
    static String line(float[] pixels, String expected) {
        String request = SmokeSamples.imageRequest(pixels, MnistShape.ROWS, MnistShape.COLUMNS);
        return request.substring(0, request.length() - 1) + ", \"expected\": " + expected + "}";
    }
}
