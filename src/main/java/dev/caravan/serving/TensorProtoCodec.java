package dev.caravan.serving;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.TensorProto;
import dev.caravan.serving.api.TensorShapeProto;
import org.tensorflow.Tensor;
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

    static Tensor toTensor(TensorSpec input, TensorProto proto, ModelSignature signature) {
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
            return Tensor.of(type.tensorClass(), Shape.of(shape), t -> t.asRawTensor().data().write(content.toByteArray()));
        }
        int values = type.typedValueCount(proto);
        if (values != count) {
            throw ServingError.invalidArgument("input '" + input.alias() + "' has shape " + TensorSpec.format(shape)
                    + ", " + count + " values, but carries " + values + " typed values and no tensor_content");
        }
        return Tensor.of(type.tensorClass(), Shape.of(shape), t -> type.copyTypedValues(proto, t.asRawTensor().data()));
    }

    static TensorProto toProto(Tensor tensor) {
        TensorType type = TensorType.of(DataType.forNumber(tensor.dataType().getNumber()), "a model output");
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long size : tensor.shape().asArray()) {
            shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(size));
        }
        TensorProto.Builder proto = TensorProto.newBuilder().setDtype(type.dtype()).setTensorShape(shape);
        long count = tensor.shape().size();
        ByteDataBuffer data = tensor.asRawTensor().data();
        if (count <= TYPED_VALUES_LIMIT) {
            type.appendTypedValues(data, (int) count, proto);
        } else {
            byte[] bytes = new byte[Math.toIntExact(count * type.bytes())];
            data.read(bytes);
            proto.setTensorContent(UnsafeByteOperations.unsafeWrap(bytes));
        }
        return proto.build();
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
