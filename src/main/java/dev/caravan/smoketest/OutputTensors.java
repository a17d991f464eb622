package dev.caravan.smoketest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.TensorProto;

/**
 * Reads output tensors sent either way TensorFlow Serving sends them: typed values ({@code float_val},
 * {@code int_val}, {@code int64_val}) or little-endian {@code tensor_content}.
 */
final class OutputTensors {

    private OutputTensors() {
    }

    /** Every element of a numeric or boolean tensor, in row-major order; booleans as 1 and 0. */
    static double[] values(TensorProto tensor) {
        if (!tensor.getTensorContent().isEmpty()) {
            return contentValues(tensor);
        }
        return switch (tensor.getDtype()) {
            case DT_FLOAT -> {
                double[] values = new double[tensor.getFloatValCount()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = tensor.getFloatVal(i);
                }
                yield values;
            }
            case DT_DOUBLE -> tensor.getDoubleValList().stream().mapToDouble(Double::doubleValue).toArray();
            case DT_INT32, DT_UINT8, DT_INT8, DT_INT16, DT_UINT16 ->
                    tensor.getIntValList().stream().mapToDouble(Integer::doubleValue).toArray();
            case DT_INT64 -> tensor.getInt64ValList().stream().mapToDouble(Long::doubleValue).toArray();
            case DT_BOOL -> tensor.getBoolValList().stream().mapToDouble(b -> b ? 1 : 0).toArray();
            default -> throw new IllegalArgumentException("outputs of dtype " + tensor.getDtype() + " are not numbers");
        };
    }

    /** Whether a dtype holds whole numbers (or booleans), which are compared exactly. */
    static boolean isWhole(DataType dtype) {
        return dtype != DataType.DT_FLOAT && dtype != DataType.DT_DOUBLE && dtype != DataType.DT_HALF
                && dtype != DataType.DT_BFLOAT16;
    }

    /** The sizes of a tensor's dimensions. */
    static long[] shape(TensorProto tensor) {
        return tensor.getTensorShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray();
    }

    private static double[] contentValues(TensorProto tensor) {
        ByteBuffer content = tensor.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int width = switch (tensor.getDtype()) {
            case DT_UINT8, DT_INT8, DT_BOOL -> 1;
            case DT_INT16, DT_UINT16 -> 2;
            case DT_FLOAT, DT_INT32 -> 4;
            case DT_DOUBLE, DT_INT64 -> 8;
            default -> throw new IllegalArgumentException("outputs of dtype " + tensor.getDtype() + " are not numbers");
        };
        double[] values = new double[content.remaining() / width];
        for (int i = 0; i < values.length; i++) {
            int at = i * width;
            values[i] = switch (tensor.getDtype()) {
                case DT_UINT8, DT_BOOL -> content.get(at) & 0xff;
                case DT_INT8 -> content.get(at);
                case DT_INT16 -> content.getShort(at);
                case DT_UINT16 -> content.getShort(at) & 0xffff;
                case DT_FLOAT -> content.getFloat(at);
                case DT_INT32 -> content.getInt(at);
                case DT_DOUBLE -> content.getDouble(at);
                default -> content.getLong(at);
            };
        }
        return values;
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
