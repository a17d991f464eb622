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

    private static final long EXACT_IN_DOUBLE = 1L << 53;

    private final String alias;
    private TensorType type;
    private final JsonValueKinds kinds = new JsonValueKinds();
    private double[] values = new double[1024];
    // The integers themselves once one is beyond a double's 53 exact bits, for int64 inputs.
    private long[] exact;
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
        } else if (token == JsonToken.VALUE_NUMBER_INT) {
            leaf(depth);
            addInteger(parser);
        } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            leaf(depth);
            double value = parser.getDoubleValue();
            kinds.decimal(parser, value);
            add(value, 0);
        } else if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
            leaf(depth);
            kinds.bool();
            add(token == JsonToken.VALUE_TRUE ? 1 : 0, 0);
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
        return typed(TensorType.of(input.dtype(), "input '" + input.alias() + "'"), input.alias());
    }

    /**
     * This tensor as the input {@code input} of type {@code type}, which {@link #copyTo} writes, once each value
     * converts exactly. The input's name is given, as an unnamed input ({@code "instances": [...]}) has none here.
     */
    JsonTensor typed(TensorType type, String input) {
        kinds.check(type, input);
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
                    longs.setLong(exact != null ? exact[i] : (long) values[i], offset + i);
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

    private void addInteger(JsonParser parser) throws IOException {
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            double value = parser.getDoubleValue();
            kinds.bigInteger(parser, value);
            add(value, 0);
            return;
        }
        long value = parser.getLongValue();
        kinds.integer(value);
        if (exact == null && Math.abs(value) > EXACT_IN_DOUBLE) {
            exact = new long[values.length];
            for (int i = 0; i < count; i++) {
                exact[i] = (long) values[i];
            }
        }
        add(value, value);
    }

    private void add(double value, long integer) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
            exact = exact == null ? null : Arrays.copyOf(exact, count * 2);
        }
        if (exact != null) {
            exact[count] = integer;
        }
        values[count++] = value;
    }

    private static String describe(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case START_OBJECT -> "an object; base64 {\"b64\": ...} values are for DT_STRING inputs, which this server"
                    + " does not take";
            case VALUE_STRING -> "the string \"" + parser.getText() + "\"";
            case VALUE_NULL -> "null";
            default -> String.valueOf(parser.currentToken());
        };
    }
}
