package dev.caravan.serving;

import java.io.IOException;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;

/**
 * A tensor read from JSON as TensorFlow Serving's REST API writes them: a number or boolean, or nested lists of
 * them whose lengths give the shape. Values are read straight off the parser into one growing array, without a
 * JSON tree; the dtype comes from the signature, as JSON numbers carry none.
 */
final class JsonTensor implements InputSource {

    private final String alias;
    private TensorType type;
    private double[] values = new double[1024];
    private int count;
    private long[] shape = new long[8];
    private int rank = -1;

    JsonTensor(String alias) {
        this.alias = alias;
    }

    /** Reads the value at the parser's current token as the element at {@code depth} (1 inside an instance list). */
    void read(JsonParser parser, int depth) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_ARRAY) {
            long length = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                read(parser, depth + 1);
                length++;
            }
            if (length == 0) {
                leaf(depth + 1);
            }
            dimension(depth, length);
        } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            leaf(depth);
            add(parser.getDoubleValue());
        } else if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
            leaf(depth);
            add(token == JsonToken.VALUE_TRUE ? 1 : 0);
        } else {
            throw ServingError.invalidArgument("input '" + alias + "' holds " + describe(parser)
                    + "; write tensors as numbers, booleans or nested lists of them");
        }
    }

    /** Sets the batch size of tensors read instance by instance. */
    void dimension(int depth, long length) {
        if (depth >= shape.length) {
            int known = shape.length;
            shape = Arrays.copyOf(shape, Math.max(depth + 1, known * 2));
            Arrays.fill(shape, known, shape.length, -1);
        }
        if (depth < rank && shape[depth] >= 0 && shape[depth] != length) {
            throw ServingError.invalidArgument("input '" + alias + "' is ragged: lists at depth " + depth + " have "
                    + shape[depth] + " and " + length + " elements; every list at one depth must be equally long");
        }
        shape[depth] = length;
    }

    @Override
    public long[] shape() {
        return Arrays.copyOf(shape, Math.max(rank, 0));
    }

    /** This tensor as {@code input}, whose dtype it takes, once its shape fits the signature. */
    InputSource checkedFor(TensorSpec input, ModelSignature signature) {
        input.checkInput(input.dtype(), shape(), signature.description());
        return typed(TensorType.of(input.dtype(), "input '" + alias + "'"));
    }

    /** This tensor as values of {@code type}, which {@link #copyTo} writes. */
    JsonTensor typed(TensorType type) {
        this.type = type;
        return this;
    }

    @Override
    public void copyTo(ByteDataBuffer target, long offset) {
        switch (type) {
            case FLOAT -> {
                float[] floats = new float[count];
                for (int i = 0; i < count; i++) {
                    floats[i] = (float) values[i];
                }
                target.asFloats().offset(offset).write(floats);
            }
            case DOUBLE -> target.asDoubles().offset(offset).write(values, 0, count);
            case INT32 -> {
                var ints = target.asInts();
                for (int i = 0; i < count; i++) {
                    ints.setInt((int) values[i], offset + i);
                }
            }
            case INT64 -> {
                var longs = target.asLongs();
                for (int i = 0; i < count; i++) {
                    longs.setLong((long) values[i], offset + i);
                }
            }
            case UINT8, BOOL -> {
                for (int i = 0; i < count; i++) {
                    target.setByte((byte) values[i], offset + i);
                }
            }
        }
    }

    private void leaf(int depth) {
        if (rank < 0) {
            rank = depth;
            Arrays.fill(shape, -1);
        } else if (rank != depth) {
            throw ServingError.invalidArgument("input '" + alias + "' mixes nesting depths " + rank + " and " + depth
                    + "; every value must be nested equally deep");
        }
    }

    private void add(double value) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
        }
        values[count++] = value;
    }

    private static String describe(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case START_OBJECT -> "an object (base64 {\"b64\": ...} strings are not supported by this server)";
            case VALUE_STRING -> "the string \"" + parser.getText() + "\"";
            case VALUE_NULL -> "null";
            default -> String.valueOf(parser.currentToken());
        };
    }
}
