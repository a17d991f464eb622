package dev.caravan.smoketest;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.caravan.data.MnistDataset;
import dev.caravan.serving.PredictRequestJson;

/**
 * Reads smoke-test samples: JSON lines, each a TensorFlow Serving REST predict body plus the answer it must get,
 * {@code {"instances": [...], "expected": {"classes": [7]}}}; or MNIST test images with their labels as the
 * expected {@code classes}.
 */
public final class SmokeSamples {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SmokeSamples() {
    }

    /**
     * One sample per non-blank line of {@code text}.
     *
     * @param source names the text in messages, e.g. {@code s3://tfmnist/smoke/samples.jsonl}
     * @throws IllegalArgumentException naming the source, the line and what is wrong with it
     */
    public static List<SmokeSample> fromJsonLines(String text, String source) {
        List<SmokeSample> samples = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                try {
                    samples.add(sample("line " + (i + 1), lines[i]));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(source + " line " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
        }
        if (samples.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no sample; write one JSON object per line, such as "
                    + example());
        }
        return samples;
    }

    /** The first {@code count} images of an MNIST split, each expected to be classified as its label. */
    public static List<SmokeSample> fromMnist(MnistDataset images, int count) {
        List<SmokeSample> samples = new ArrayList<>();
        for (int i = 0; i < Math.min(count, images.count()); i++) {
            float[] pixels = new float[images.imageSize()];
            images.copyPixels(i, pixels, 0);
            samples.add(new SmokeSample(images.split().name().toLowerCase() + " image " + i,
                    imageRequest(pixels, images.rows(), images.cols()),
                    Map.of("classes", new double[] {images.label(i)}),
                    pixels.length == MnistShape.PIXELS ? Optional.of(pixels) : Optional.empty()));
        }
        return samples;
    }

    /** The REST request for one picture, {@code {"instances": [[[row 0], [row 1], ...]]}}. */
    static String imageRequest(float[] pixels, int rows, int columns) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode image = request.putArray("instances").addArray();
        for (int row = 0; row < rows; row++) {
            ArrayNode line = image.addArray();
            for (int column = 0; column < columns; column++) {
                line.add(pixels[row * columns + column]);
            }
        }
        return request.toString();
    }

    private static SmokeSample sample(String name, String line) {
        JsonNode body;
        try {
            body = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("it is not JSON: " + e.getOriginalMessage());
        }
        if (!body.isObject()) {
            throw new IllegalArgumentException("a sample is a JSON object, such as " + example());
        }
        // Read as the model server reads a request, so a sample it would refuse is caught here, with its line.
        PredictRequestJson.parse(line);
        return new SmokeSample(name, line, expected(body.get("expected")),
                image(body.has("instances") ? body.get("instances") : body.get("inputs")));
    }

    private static Map<String, double[]> expected(JsonNode expected) {
        if (expected == null || !expected.isObject() || expected.isEmpty()) {
            throw new IllegalArgumentException("it has no \"expected\" object naming the answer per output, such as "
                    + "\"expected\": {\"classes\": [7]}");
        }
        Map<String, double[]> outputs = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = expected.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            List<Double> values = new ArrayList<>();
            if (!flatten(field.getValue(), values)) {
                throw new IllegalArgumentException("\"expected\"." + field.getKey() + " must be a number, a boolean or "
                        + "nested lists of them, not " + field.getValue());
            }
            outputs.put(field.getKey(), values.stream().mapToDouble(Double::doubleValue).toArray());
        }
        return outputs;
    }

    /** The input drawn as a digit when it is 784 numbers in all, as MNIST's 28x28 pixels are. */
    private static Optional<float[]> image(JsonNode input) {
        List<Double> values = new ArrayList<>();
        if (input == null || !flatten(input, values) || values.size() != MnistShape.PIXELS) {
            return Optional.empty();
        }
        float[] pixels = new float[values.size()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = values.get(i).floatValue();
        }
        return Optional.of(pixels);
    }

    /** Adds every number (booleans as 1 and 0) below {@code node} in order; false when it holds anything else. */
    private static boolean flatten(JsonNode node, List<Double> values) {
        if (node.isNumber()) {
            values.add(node.doubleValue());
            return true;
        }
        if (node.isBoolean()) {
            values.add(node.booleanValue() ? 1.0 : 0.0);
            return true;
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (!flatten(child, values)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static String example() {
        return "{\"instances\": [[0.0, 0.5, ...]], \"expected\": {\"classes\": [7]}}";
    }
}
