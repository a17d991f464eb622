package dev.caravan.testutil;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Disk faults for tests: a folder made immutable ({@code chattr +i}: even root cannot write in it), a small tmpfs
 * (mount needs root, and may be refused in CI), remounted read-only or filled up. Each trick that the system refuses
 * comes back empty with the reason, so the test can skip saying why.
 */
public final class LocalDisks {

    private LocalDisks() {
    }

    /** A tmpfs mounted on a folder; {@link #close()} unmounts it. */
    public record Mount(Path dir) implements AutoCloseable {

        /** Makes the file system read-only: every write then fails with "Read-only file system". */
        public void remountReadOnly() {
            require(run("mount", "-o", "remount,ro", dir.toString()));
        }

        public void remountReadWrite() {
            require(run("mount", "-o", "remount,rw", dir.toString()));
        }

        /** Fills the file system with one file until only {@code leaveFree} bytes are left, and returns the file. */
        public Path fill(long leaveFree) {
            Path filler = dir.resolve(".filler");
            try {
                FileStore store = Files.getFileStore(dir);
                long size = Math.max(0, store.getUsableSpace() - leaveFree);
                try (OutputStream out = Files.newOutputStream(filler)) {
                    byte[] block = new byte[64 * 1024];
                    for (long written = 0; written < size; written += block.length) {
                        out.write(block, 0, (int) Math.min(block.length, size - written));
                    }
                }
                return filler;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot fill " + dir + ": " + e.getMessage(), e);
            }
        }

        public long usableSpace() {
            try {
                return Files.getFileStore(dir).getUsableSpace();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            run("umount", "-l", dir.toString());
        }
    }

    /** Mounts a tmpfs of {@code size} (e.g. {@code 32m}) on {@code dir}, or says why it cannot. */
    public static Result<Mount> tmpfs(Path dir, String size) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Optional<String> refused = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        return refused.isPresent() ? Result.refused("mount -t tmpfs refused (" + refused.get() + "); run as root to test a"
                + " full or read-only disk") : Result.of(new Mount(dir));
    }

    /** Makes {@code dir} immutable, or says why it cannot; closing the result makes it writable again. */
    public static Result<AutoCloseable> immutable(Path dir) {
        Optional<String> refused = run("chattr", "+i", dir.toString());
        return refused.isPresent() ? Result.refused("chattr +i refused (" + refused.get() + "); it needs root and a file"
                + " system with inode flags") : Result.of(() -> run("chattr", "-i", dir.toString()));
    }

    /** A disk trick that worked, or the reason it was refused. */
    public record Result<T>(T value, String refusal) {

        static <T> Result<T> of(T value) {
            return new Result<>(value, null);
        }

        static <T> Result<T> refused(String why) {
            return new Result<>(null, why);
        }

        public boolean refused() {
            return value == null;
        }
    }

    /** Runs a command; empty when it succeeded, else what it printed. */
    private static Optional<String> run(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes()).strip();
            return process.waitFor() == 0 ? Optional.empty()
                    : Optional.of(String.join(" ", command) + ": " + (output.isEmpty() ? "failed" : output));
        } catch (IOException e) {
            return Optional.of(String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    private static void require(Optional<String> refused) {
        refused.ifPresent(why -> {
            throw new IllegalStateException(why);
        });
    }
}
