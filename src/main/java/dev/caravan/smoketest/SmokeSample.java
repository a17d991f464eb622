package dev.caravan.smoketest;

import java.util.Map;
import java.util.Optional;

/**
 * One smoke-test request and the answer it must get.
 *
 * @param name     where it comes from, for the report: {@code line 3}, {@code test image 0}
 * @param request  a TensorFlow Serving REST predict body, {@code {"instances": [...]}} or {@code {"inputs": ...}}
 * @param expected per output name, the values the model must answer, flattened in row-major order
 * @param image    the input as a 28x28 picture when it has 784 values, to draw in the report
 */
public record SmokeSample(String name, String request, Map<String, double[]> expected, Optional<float[]> image) {

    public SmokeSample {
        expected = Map.copyOf(expected);
    }
}
