package dev.caravan.serving;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.TensorProto;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * The element types the server moves between the wire and TensorFlow: fixed-width numbers and booleans, which
 * cover image, tabular and classifier models. Strings and half floats are refused with a message naming them.
 */
enum TensorType {
    FLOAT(DataType.DT_FLOAT, TFloat32.class, 4),
    DOUBLE(DataType.DT_DOUBLE, TFloat64.class, 8),
    INT32(DataType.DT_INT32, TInt32.class, 4),
    INT64(DataType.DT_INT64, TInt64.class, 8),
    UINT8(DataType.DT_UINT8, TUint8.class, 1),
    BOOL(DataType.DT_BOOL, TBool.class, 1);

    private final DataType dtype;
    private final Class<? extends TType> tensorClass;
    private final int bytes;

    TensorType(DataType dtype, Class<? extends TType> tensorClass, int bytes) {
        this.dtype = dtype;
        this.tensorClass = tensorClass;
        this.bytes = bytes;
    }

    static Optional<TensorType> find(DataType dtype) {
        return Arrays.stream(values()).filter(type -> type.dtype == dtype).findFirst();
    }

    /** The type of {@code dtype}, or a refusal naming {@code what} and the dtypes this server handles. */
    static TensorType of(DataType dtype, String what) {
        return find(dtype).orElseThrow(() -> ServingError.invalidArgument(what + " has dtype " + dtype.name()
                + ", which this server does not handle; it takes "
                + Arrays.stream(values()).map(t -> t.dtype.name()).collect(Collectors.joining(", "))));
    }

    DataType dtype() {
        return dtype;
    }

    Class<? extends TType> tensorClass() {
        return tensorClass;
    }

    int bytes() {
        return bytes;
    }

    /** How many values the typed field of this type carries ({@code float_val} for DT_FLOAT, ...). */
    int typedValueCount(TensorProto proto) {
        return switch (this) {
            case FLOAT -> proto.getFloatValCount();
            case DOUBLE -> proto.getDoubleValCount();
            case INT32, UINT8 -> proto.getIntValCount();
            case INT64 -> proto.getInt64ValCount();
            case BOOL -> proto.getBoolValCount();
        };
    }

    /** Copies the typed values of {@code proto} into a tensor's memory, from element {@code offset} on. */
    void copyTypedValues(TensorProto proto, ByteDataBuffer target, long offset) {
        int count = typedValueCount(proto);
        switch (this) {
            case FLOAT -> {
                // Gathered first, then written in one bulk copy: images are hundreds of floats.
                float[] floats = new float[count];
                for (int i = 0; i < count; i++) {
                    floats[i] = proto.getFloatVal(i);
                }
                target.asFloats().offset(offset).write(floats);
            }
            case DOUBLE -> {
                var doubles = target.asDoubles();
                for (int i = 0; i < count; i++) {
                    doubles.setDouble(proto.getDoubleVal(i), offset + i);
                }
            }
            case INT32 -> {
                var ints = target.asInts();
                for (int i = 0; i < count; i++) {
                    ints.setInt(proto.getIntVal(i), offset + i);
                }
            }
            case INT64 -> {
                var longs = target.asLongs();
                for (int i = 0; i < count; i++) {
                    longs.setLong(proto.getInt64Val(i), offset + i);
                }
            }
            case UINT8 -> {
                for (int i = 0; i < count; i++) {
                    target.setByte((byte) proto.getIntVal(i), offset + i);
                }
            }
            case BOOL -> {
                for (int i = 0; i < count; i++) {
                    target.setByte(proto.getBoolVal(i) ? (byte) 1 : 0, offset + i);
                }
            }
        }
    }

    /** Appends {@code count} values from a tensor's memory, from element {@code offset} on, to the typed field. */
    void appendTypedValues(ByteDataBuffer source, long offset, int count, TensorProto.Builder proto) {
        switch (this) {
            case FLOAT -> {
                var floats = source.asFloats();
                for (int i = 0; i < count; i++) {
                    proto.addFloatVal(floats.getFloat(offset + i));
                }
            }
            case DOUBLE -> {
                var doubles = source.asDoubles();
                for (int i = 0; i < count; i++) {
                    proto.addDoubleVal(doubles.getDouble(offset + i));
                }
            }
            case INT32 -> {
                var ints = source.asInts();
                for (int i = 0; i < count; i++) {
                    proto.addIntVal(ints.getInt(offset + i));
                }
            }
            case INT64 -> {
                var longs = source.asLongs();
                for (int i = 0; i < count; i++) {
                    proto.addInt64Val(longs.getLong(offset + i));
                }
            }
            case UINT8 -> {
                for (int i = 0; i < count; i++) {
                    proto.addIntVal(source.getByte(offset + i) & 0xff);
                }
            }
            case BOOL -> {
                for (int i = 0; i < count; i++) {
                    proto.addBoolVal(source.getByte(offset + i) != 0);
                }
            }
        }
    }
}
