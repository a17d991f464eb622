package dev.caravan.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.TensorProto;
import dev.caravan.serving.testutil.Tensors;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** Clients must read outputs in both of TensorFlow Serving's encodings. */
class OutputTensorsTest {

    @Test
    void readsFloatsFromTypedValuesAndFromContent() {
        float[] values = {0.1f, 0.7f, 0.2f};

        assertThat(OutputTensors.floats(Tensors.floatVal(values, 1, 3))).containsExactly(values);
        assertThat(OutputTensors.floats(Tensors.tensorContent(values, 1, 3))).containsExactly(values);
    }

    @Test
    void readsClassesOfEveryIntegerDtype() {
        assertThat(OutputTensors.firstInteger(TensorProto.newBuilder().setDtype(DataType.DT_UINT8).addIntVal(7).build()))
                .isEqualTo(7);
        assertThat(OutputTensors.firstInteger(TensorProto.newBuilder().setDtype(DataType.DT_INT64).addInt64Val(3).build()))
                .isEqualTo(3);
        assertThat(OutputTensors.firstInteger(TensorProto.newBuilder().setDtype(DataType.DT_UINT8)
                .setTensorContent(ByteString.copyFrom(new byte[] {(byte) 9})).build())).isEqualTo(9);
        assertThat(OutputTensors.firstInteger(TensorProto.newBuilder().setDtype(DataType.DT_INT64)
                .setTensorContent(ByteString.copyFrom(new byte[] {5, 0, 0, 0, 0, 0, 0, 0})).build())).isEqualTo(5);
    }

    @Test
    void readsEveryNumericDtypeAsDoublesEitherWay() {
        assertThat(OutputTensors.values(Tensors.floatVal(new float[] {0.5f, 2f}, 2))).containsExactly(0.5, 2);
        assertThat(OutputTensors.values(Tensors.tensorContent(new float[] {0.5f, 2f}, 2))).containsExactly(0.5, 2);
        assertThat(OutputTensors.values(TensorProto.newBuilder().setDtype(DataType.DT_UINT8)
                .setTensorContent(ByteString.copyFrom(new byte[] {(byte) 200, 3})).build())).containsExactly(200, 3);
        assertThat(OutputTensors.values(TensorProto.newBuilder().setDtype(DataType.DT_INT64).addInt64Val(-4).build()))
                .containsExactly(-4);
        assertThat(OutputTensors.values(TensorProto.newBuilder().setDtype(DataType.DT_BOOL).addBoolVal(true)
                .addBoolVal(false).build())).containsExactly(1, 0);
        assertThat(OutputTensors.isWhole(DataType.DT_UINT8)).isTrue();
        assertThat(OutputTensors.isWhole(DataType.DT_FLOAT)).isFalse();
    }
}
