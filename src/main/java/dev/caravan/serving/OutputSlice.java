package dev.caravan.serving;

import java.util.Arrays;

import dev.caravan.serving.api.DataType;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;

/**
 * The rows of one output tensor that belong to one request: all of it when the request ran alone, its own rows
 * when it ran in a batch with others.
 *
 * @param shape  the request's shape of this output (the first dimension is its row count)
 * @param offset the element where the request's rows start in the batch tensor
 */
record OutputSlice(Tensor tensor, TensorType type, long[] shape, long offset) {

    static OutputSlice whole(Tensor tensor) {
        TensorType type = TensorType.of(DataType.forNumber(tensor.dataType().getNumber()), "a model output");
        return new OutputSlice(tensor, type, tensor.shape().asArray(), 0);
    }

    /** Rows {@code first .. first + rows} of a batch-major output. */
    static OutputSlice rows(Tensor tensor, long first, long rows) {
        OutputSlice whole = whole(tensor);
        long[] shape = whole.shape.clone();
        long rowElements = shape[0] == 0 ? 0 : tensor.shape().size() / shape[0];
        shape[0] = rows;
        return new OutputSlice(tensor, whole.type, shape, first * rowElements);
    }

    long count() {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    /** The tensor's memory; this slice's values are at {@link #offset()} .. {@code offset + count}. */
    ByteDataBuffer data() {
        return tensor.asRawTensor().data();
    }
}
