package dev.caravan.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows one attempt's part of a run's {@code trainer.log}: the trainer writes the file itself (so it keeps logging
 * when the orchestrator restarts), and this reads the complete lines added since the last look.
 */
final class TrainerLog {

    private static final int TAIL_LINES = 12;

    private final Path file;
    private long position;
    private final PendingLine pending = new PendingLine();
    private final Deque<String> tail = new ArrayDeque<>();

    /** Follows {@code file} from byte {@code offset}, where this attempt's output begins. */
    TrainerLog(Path file, long offset) {
        this.file = file;
        this.position = offset;
    }

    /** Hands every complete line written since the last call to {@code lines}. */
    void readNewLines(Consumer<String> lines) {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            int read;
            while ((read = channel.read(buffer, position)) > 0) {
                position += read;
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        emit(pending.takeLine(), lines);
                    } else {
                        pending.append(b);
                    }
                }
                buffer.clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trainer log " + file + ": " + e.getMessage(), e);
        }
    }

    /** The last lines read (and any unfinished one), for a message about why the trainer failed. */
    List<String> tail() {
        Deque<String> lines = new ArrayDeque<>(tail);
        if (pending.length() > 0) {
            lines.addLast(pending.peekLine());
        }
        while (lines.size() > TAIL_LINES) {
            lines.removeFirst();
        }
        return List.copyOf(lines);
    }

    Path file() {
        return file;
    }

    private void emit(String line, Consumer<String> lines) {
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
        lines.accept(line);
    }

    /** The bytes of a line not yet ended, decoded only once complete so UTF-8 sequences are never split. */
    private static final class PendingLine {

        private byte[] bytes = new byte[256];
        private int length;

        void append(byte b) {
            if (length == bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[length++] = b;
        }

        int length() {
            return length;
        }

        String peekLine() {
            int end = length > 0 && bytes[length - 1] == '\r' ? length - 1 : length;
            return new String(bytes, 0, end, StandardCharsets.UTF_8);
        }

        String takeLine() {
            String line = peekLine();
            length = 0;
            return line;
        }
    }
}
