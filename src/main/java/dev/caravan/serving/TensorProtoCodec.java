package dev.caravan.serving;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.caravan.serving.api.TensorProto;
import dev.caravan.serving.api.TensorShapeProto;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;

/**
 * Converts between {@link TensorProto} and TensorFlow tensors, writing straight into and reading straight out of
 * the tensor's native memory.
 *
 * <p>Inputs are taken in either form TensorFlow Serving accepts: {@code tensor_content} (raw little-endian bytes)
 * or the typed field of the dtype ({@code float_val}, ...). Outputs of up to {@value #TYPED_VALUES_LIMIT}
 * elements are sent as typed values, as TensorFlow Serving does by default, so simple clients that only read
 * {@code float_val} work; larger outputs go as {@code tensor_content}, one copy instead of one call per element.
 * Clients should decode both, as {@code tf.make_ndarray} does.
 */
final class TensorProtoCodec {

    static final int TYPED_VALUES_LIMIT = 1024;

    private TensorProtoCodec() {
    }

    /** Checks a tensor sent for {@code input} and keeps it until its batch runs. */
    static InputSource input(TensorSpec input, TensorProto proto, ModelSignature signature) {
        long[] shape = shape(proto.getTensorShape(), input.alias());
        input.checkInput(proto.getDtype(), shape, signature.description());
        TensorType type = TensorType.of(proto.getDtype(), "input '" + input.alias() + "'");
        long count = Shape.of(shape).size();
        ByteString content = proto.getTensorContent();
        if (!content.isEmpty()) {
            long expected = count * type.bytes();
            if (content.size() != expected) {
                throw ServingError.invalidArgument("input '" + input.alias() + "' has shape " + TensorSpec.format(shape)
                        + ", " + expected + " bytes of " + type.dtype().name() + ", but its tensor_content holds "
                        + content.size() + " bytes");
            }
        } else if (type.typedValueCount(proto) != count) {
            throw ServingError.invalidArgument("input '" + input.alias() + "' has shape " + TensorSpec.format(shape)
                    + ", " + count + " values, but carries " + type.typedValueCount(proto)
                    + " typed values and no tensor_content");
        }
        return new ProtoInput(proto, type, shape);
    }

    static TensorProto toProto(OutputSlice slice) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long size : slice.shape()) {
            shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(size));
        }
        TensorType type = slice.type();
        TensorProto.Builder proto = TensorProto.newBuilder().setDtype(type.dtype()).setTensorShape(shape);
        long count = slice.count();
        if (count <= TYPED_VALUES_LIMIT) {
            type.appendTypedValues(slice.data(), slice.offset(), (int) count, proto);
        } else {
            byte[] bytes = new byte[Math.toIntExact(count * type.bytes())];
            slice.data().slice(slice.offset() * type.bytes(), bytes.length).read(bytes);
            proto.setTensorContent(UnsafeByteOperations.unsafeWrap(bytes));
        }
        return proto.build();
    }

    private record ProtoInput(TensorProto proto, TensorType type, long[] shape) implements InputSource {

        @Override
        public void copyTo(ByteDataBuffer target, long offset) {
            if (proto.getTensorContent().isEmpty()) {
                type.copyTypedValues(proto, target, offset);
            } else {
                target.offset(offset * type.bytes()).write(proto.getTensorContent().toByteArray());
            }
        }
    }

    private static long[] shape(TensorShapeProto shape, String alias) {
        if (shape.getUnknownRank()) {
            throw ServingError.invalidArgument("input '" + alias + "' has an unknown rank; send its tensor_shape");
        }
        long[] dims = new long[shape.getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.getDim(i).getSize();
            if (dims[i] < 0) {
                throw ServingError.invalidArgument("input '" + alias + "' has dimension " + i + " of size " + dims[i]
                        + "; a tensor sent must have every size known");
            }
        }
        return dims;
    }
}
