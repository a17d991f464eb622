package dev.caravan.serving;

import java.util.Arrays;
import java.util.stream.Collectors;

import dev.caravan.serving.api.DataType;
import org.tensorflow.Output;

/**
 * One input or output of a signature: the alias clients use, the graph tensor behind it, and the dtype and shape
 * the model declares (a dimension of -1 takes any size; {@code shape == null} means any rank).
 */
record TensorSpec(String alias, Output<?> output, DataType dtype, long[] shape) {

    /** For messages: {@code DT_FLOAT [-1,28,28]}. */
    String describe() {
        return dtype.name() + " " + (shape == null ? "of any shape" : format(shape));
    }

    /** Refuses a tensor sent for this input whose dtype or shape the model cannot take. */
    void checkInput(DataType givenType, long[] givenShape, String signature) {
        if (givenType != dtype) {
            throw ServingError.invalidArgument("input '" + alias + "' is " + givenType.name() + " but " + signature
                    + " expects " + describe());
        }
        if (!fits(givenShape)) {
            throw ServingError.invalidArgument("input '" + alias + "' has shape " + format(givenShape) + " but "
                    + signature + " expects " + describe());
        }
    }

    static String format(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    }

    private boolean fits(long[] givenShape) {
        if (shape == null) {
            return true;
        }
        if (givenShape.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && shape[i] != givenShape[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorSpec spec && spec.alias.equals(alias) && spec.output.equals(output);
    }

    @Override
    public int hashCode() {
        return alias.hashCode();
    }

    @Override
    public String toString() {
        return alias + " (" + describe() + ")";
    }
}
