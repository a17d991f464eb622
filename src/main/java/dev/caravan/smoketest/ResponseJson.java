package dev.caravan.smoketest;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.TensorProto;

/**
 * A gRPC predict answer written as TensorFlow Serving's REST API writes it: {@code {"predictions": [...]}} with one
 * element per instance (an object of outputs when there are several) for a row-format request, else
 * {@code {"outputs": ...}}.
 */
final class ResponseJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ResponseJson() {
    }

    static ObjectNode of(PredictResponse response, boolean rows) {
        Map<String, TensorProto> outputs = new TreeMap<>(response.getOutputsMap());
        ObjectNode body = NODES.objectNode();
        if (outputs.size() == 1) {
            body.set(rows ? "predictions" : "outputs", tensor(outputs.values().iterator().next()));
        } else if (rows) {
            body.set("predictions", instances(outputs));
        } else {
            ObjectNode named = body.putObject("outputs");
            outputs.forEach((name, tensor) -> named.set(name, tensor(tensor)));
        }
        return body;
    }

    private static ArrayNode instances(Map<String, TensorProto> outputs) {
        long batch = outputs.values().stream().mapToLong(t -> OutputTensors.shape(t).length == 0 ? -1
                : OutputTensors.shape(t)[0]).distinct().reduce((a, b) -> -1).orElse(-1);
        if (batch < 0) {
            throw new IllegalArgumentException("the model's outputs " + outputs.keySet() + " differ in their first"
                    + " dimension, so they cannot be split into instances; ask with \"inputs\" (columnar format)");
        }
        ArrayNode instances = NODES.arrayNode();
        Map<String, double[]> values = new TreeMap<>();
        outputs.forEach((name, tensor) -> values.put(name, OutputTensors.values(tensor)));
        for (int i = 0; i < batch; i++) {
            ObjectNode instance = instances.addObject();
            for (Map.Entry<String, TensorProto> output : outputs.entrySet()) {
                long[] shape = OutputTensors.shape(output.getValue());
                int size = (int) (values.get(output.getKey()).length / batch);
                instance.set(output.getKey(), nested(values.get(output.getKey()), i * size,
                        Arrays.copyOfRange(shape, 1, shape.length), output.getValue().getDtype()));
            }
        }
        return instances;
    }

    private static JsonNode tensor(TensorProto tensor) {
        return nested(OutputTensors.values(tensor), 0, OutputTensors.shape(tensor), tensor.getDtype());
    }

    /** The values from {@code offset} on, nested in lists as {@code shape} says. */
    private static JsonNode nested(double[] values, int offset, long[] shape, DataType dtype) {
        if (shape.length == 0) {
            return number(values[offset], dtype);
        }
        ArrayNode list = NODES.arrayNode();
        int size = (int) (Arrays.stream(shape).skip(1).reduce(1, (a, b) -> a * b));
        for (int i = 0; i < shape[0]; i++) {
            list.add(nested(values, offset + i * size, Arrays.copyOfRange(shape, 1, shape.length), dtype));
        }
        return list;
    }

    private static JsonNode number(double value, DataType dtype) {
        return switch (dtype) {
            case DT_FLOAT -> NODES.numberNode((float) value);
            case DT_DOUBLE -> NODES.numberNode(value);
            case DT_BOOL -> NODES.booleanNode(value != 0);
            default -> NODES.numberNode((long) value);
        };
    }
}
