package dev.caravan.serving;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;

/**
 * Writes predict results as TensorFlow Serving's REST API does: row format {@code {"predictions": [...]}} with one
 * element per instance (an object of outputs when there are several), or columnar {@code {"outputs": ...}}.
 * Values go from the tensor's memory to the generator with no intermediate tree.
 */
final class JsonOutputs {

    @FunctionalInterface
    private interface ValueWriter {
        void write(long index) throws IOException;
    }

    private JsonOutputs() {
    }

    /** Writes the response; everything that can refuse it is checked before the first byte is written. */
    static void write(JsonGenerator json, boolean rows, List<TensorSpec> fetches, List<OutputSlice> outputs)
            throws IOException {
        List<ValueWriter> values = new ArrayList<>();
        for (OutputSlice output : outputs) {
            values.add(values(json, output));
        }
        long batch = rows && fetches.size() > 1 ? batchSize(fetches, outputs) : -1;
        json.writeStartObject();
        json.writeFieldName(rows ? "predictions" : "outputs");
        if (fetches.size() == 1) {
            writeDimensions(values.get(0), outputs.get(0).shape(), 0, outputs.get(0).offset(), json);
        } else if (rows) {
            writeInstances(json, batch, fetches, values, outputs);
        } else {
            json.writeStartObject();
            for (int i = 0; i < fetches.size(); i++) {
                json.writeFieldName(fetches.get(i).alias());
                writeDimensions(values.get(i), outputs.get(i).shape(), 0, outputs.get(i).offset(), json);
            }
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    private static void writeInstances(JsonGenerator json, long batch, List<TensorSpec> fetches,
                                       List<ValueWriter> values, List<OutputSlice> outputs) throws IOException {
        json.writeStartArray();
        for (long instance = 0; instance < batch; instance++) {
            json.writeStartObject();
            for (int i = 0; i < fetches.size(); i++) {
                OutputSlice output = outputs.get(i);
                json.writeFieldName(fetches.get(i).alias());
                long first = output.offset() + instance * (output.count() / batch);
                writeDimensions(values.get(i), output.shape(), 1, first, json);
            }
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    private static long batchSize(List<TensorSpec> fetches, List<OutputSlice> outputs) {
        long batch = -1;
        for (int i = 0; i < fetches.size(); i++) {
            long[] shape = outputs.get(i).shape();
            long size = shape.length == 0 ? -1 : shape[0];
            if (size < 0 || (batch >= 0 && size != batch)) {
                throw ServingError.invalidArgument("the row format needs every output to have the same first "
                        + "dimension, but output '" + fetches.get(i).alias() + "' has shape " + TensorSpec.format(shape)
                        + "; ask with \"inputs\" (columnar format) instead");
            }
            batch = size;
        }
        return batch;
    }

    /** Writes the elements below {@code dimension} starting at flat {@code index}; returns the next index. */
    private static long writeDimensions(ValueWriter values, long[] shape, int dimension, long index, JsonGenerator json)
            throws IOException {
        if (dimension == shape.length) {
            values.write(index);
            return index + 1;
        }
        json.writeStartArray();
        for (long i = 0; i < shape[dimension]; i++) {
            index = writeDimensions(values, shape, dimension + 1, index, json);
        }
        json.writeEndArray();
        return index;
    }

    private static ValueWriter values(JsonGenerator json, OutputSlice output) {
        ByteDataBuffer data = output.data();
        return switch (output.type()) {
            case FLOAT -> {
                var floats = data.asFloats();
                yield i -> json.writeNumber(floats.getFloat(i));
            }
            case DOUBLE -> {
                var doubles = data.asDoubles();
                yield i -> json.writeNumber(doubles.getDouble(i));
            }
            case INT32 -> {
                var ints = data.asInts();
                yield i -> json.writeNumber(ints.getInt(i));
            }
            case INT64 -> {
                var longs = data.asLongs();
                yield i -> json.writeNumber(longs.getLong(i));
            }
            case UINT8 -> i -> json.writeNumber(data.getByte(i) & 0xff);
            case BOOL -> i -> json.writeBoolean(data.getByte(i) != 0);
        };
    }
}
