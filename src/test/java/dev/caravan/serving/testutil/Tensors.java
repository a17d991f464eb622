package dev.caravan.serving.testutil;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.google.protobuf.ByteString;
import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.TensorProto;
import dev.caravan.serving.api.TensorShapeProto;

/** TensorProto builders and readers for tests, in both of TensorFlow Serving's encodings. */
public final class Tensors {

    private Tensors() {
    }

    public static TensorShapeProto shape(long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long dim : dims) {
            shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(dim));
        }
        return shape.build();
    }

    public static TensorProto floatVal(float[] values, long... dims) {
        TensorProto.Builder tensor = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(dims));
        for (float value : values) {
            tensor.addFloatVal(value);
        }
        return tensor.build();
    }

    public static TensorProto tensorContent(float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(dims))
                .setTensorContent(ByteString.copyFrom(bytes)).build();
    }

    /** The floats of a tensor sent either way. */
    public static float[] floats(TensorProto tensor) {
        if (!tensor.getTensorContent().isEmpty()) {
            float[] values = new float[tensor.getTensorContent().size() / 4];
            tensor.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return values;
        }
        float[] values = new float[tensor.getFloatValCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.getFloatVal(i);
        }
        return values;
    }

    /** The uint8 classes of a tensor sent either way. */
    public static int[] uint8s(TensorProto tensor) {
        if (!tensor.getTensorContent().isEmpty()) {
            byte[] bytes = tensor.getTensorContent().toByteArray();
            int[] values = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                values[i] = bytes[i] & 0xff;
            }
            return values;
        }
        return tensor.getIntValList().stream().mapToInt(Integer::intValue).toArray();
    }
}
