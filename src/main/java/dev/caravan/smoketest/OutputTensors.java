package dev.caravan.smoketest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.caravan.serving.api.TensorProto;

/**
 * Reads output tensors sent either way TensorFlow Serving sends them: typed values ({@code float_val},
 * {@code int_val}, {@code int64_val}) or little-endian {@code tensor_content}.
 */
final class OutputTensors {

    private OutputTensors() {
    }

    static float[] floats(TensorProto tensor) {
        if (!tensor.getTensorContent().isEmpty()) {
            ByteBuffer content = tensor.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[content.remaining() / Float.BYTES];
            content.asFloatBuffer().get(values);
            return values;
        }
        float[] values = new float[tensor.getFloatValCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.getFloatVal(i);
        }
        return values;
    }

    /** The first element of an integer tensor (uint8, int32 or int64, as classifiers export their class). */
    static long firstInteger(TensorProto tensor) {
        if (!tensor.getTensorContent().isEmpty()) {
            ByteBuffer content = tensor.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            return switch (tensor.getDtype()) {
                case DT_UINT8 -> content.get(0) & 0xff;
                case DT_INT32 -> content.getInt(0);
                case DT_INT64 -> content.getLong(0);
                default -> throw new IllegalArgumentException("classes of dtype " + tensor.getDtype() + " are not integers");
            };
        }
        if (tensor.getInt64ValCount() > 0) {
            return tensor.getInt64Val(0);
        }
        if (tensor.getIntValCount() > 0) {
            return tensor.getIntVal(0);
        }
        throw new IllegalArgumentException("the classes output holds no value");
    }
}
