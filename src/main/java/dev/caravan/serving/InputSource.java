package dev.caravan.serving;

import org.tensorflow.ndarray.buffer.ByteDataBuffer;

/**
 * One input of a prediction request, already checked against the signature, whose values are copied straight
 * into the input tensor of the batch that runs it.
 */
interface InputSource {

    /** The shape sent, the first dimension counting rows (instances). */
    long[] shape();

    /** Copies every value into {@code target}, a tensor of the input's dtype, starting at element {@code offset}. */
    void copyTo(ByteDataBuffer target, long offset);

    default long rows() {
        return shape().length == 0 ? 1 : shape()[0];
    }
}
