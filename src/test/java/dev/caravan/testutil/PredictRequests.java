package dev.caravan.testutil;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** TensorFlow Serving REST predict bodies for MNIST-shaped digits, as a client writes them (TF Serving api_rest.md). */
public final class PredictRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictRequests() {
    }

    /** {@code {"instances": [[[row 0], ..., [row 27]]]}} for one 28x28 digit, pixels row by row. */
    public static ObjectNode image(float[] pixels) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode image = request.putArray("instances").addArray();
        for (int row = 0; row < 28; row++) {
            ArrayNode line = image.addArray();
            for (int column = 0; column < 28; column++) {
                line.add(pixels[row * 28 + column]);
            }
        }
        return request;
    }

    /** A smoke-test sample line: the digit's request with the class it should get. */
    public static String sample(float[] pixels, int label) {
        ObjectNode sample = image(pixels);
        sample.putObject("expected").putArray("classes").add(label);
        return sample.toString();
    }
}
