package dev.caravan.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

import com.google.protobuf.InvalidProtocolBufferException;

/** Reads TensorBoard event files: TFRecords (length, its CRC, an {@link Event}, its CRC) one after another. */
final class EventFiles {

    record Scalar(long step, String tag, float value) {
    }

    private EventFiles() {
    }

    static List<Scalar> scalars(byte[] file) throws InvalidProtocolBufferException {
        ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Scalar> scalars = new ArrayList<>();
        while (buffer.remaining() >= 12) {
            int length = (int) buffer.getLong();
            buffer.getInt();
            byte[] record = new byte[length];
            buffer.get(record);
            buffer.getInt();
            Event event = Event.parseFrom(record);
            for (Summary.Value value : event.getSummary().getValueList()) {
                scalars.add(new Scalar(event.getStep(), value.getTag(), value.getSimpleValue()));
            }
        }
        return scalars;
    }
}
