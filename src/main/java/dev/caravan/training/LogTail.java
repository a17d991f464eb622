package dev.caravan.training;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** Copies a log file to a stream, and keeps copying what is appended while {@code growing} says it may grow. */
final class LogTail {

    private static final long POLL_MILLIS = 250;

    private LogTail() {
    }

    static void copy(Path log, OutputStream out, BooleanSupplier growing) throws IOException {
        long position = 0;
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            boolean mayGrow = growing.getAsBoolean();
            position = copyFrom(log, position, buffer, out);
            if (!mayGrow) {
                return;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long copyFrom(Path log, long position, byte[] buffer, OutputStream out) throws IOException {
        if (!Files.exists(log)) {
            return position;
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(position);
            int read;
            while ((read = file.read(buffer)) > 0) {
                out.write(buffer, 0, read);
                position += read;
            }
            out.flush();
        }
        return position;
    }
}
