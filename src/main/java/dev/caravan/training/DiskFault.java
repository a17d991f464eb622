package dev.caravan.training;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A failed write to the local disk in words a person can act on: which path, whether the disk is full, read-only or
 * not Caravan's to write, and what to do about it.
 */
final class DiskFault {

    private DiskFault() {
    }

    /** E.g. "no space left on the disk of /home/runs/r1/trainer.log (No space left on device); free space ...". */
    static String describe(Path path, Throwable error) {
        String reason = reason(error);
        String lower = reason.toLowerCase(Locale.ROOT);
        if (lower.contains("no space left") || lower.contains("quota exceeded")) {
            return "no space left on the disk of " + path + " (" + reason + "); free space there (df -h "
                    + path.getParent() + " shows how much is left) or move caravan.home to a larger disk, then retry";
        }
        if (lower.contains("read-only file system")) {
            return path + " is on a read-only file system (" + reason + "); remount it read-write or move caravan.home"
                    + " to a writable disk, then retry";
        }
        if (lower.contains("permission denied") || lower.contains("operation not permitted")
                || error instanceof AccessDeniedException) {
            return "Caravan may not write " + path + " (" + reason + "); make it writable for the user Caravan runs as"
                    + " (and not immutable: see lsattr -d), then retry";
        }
        return "cannot write " + path + " (" + reason + "); check the disk that holds caravan.home";
    }

    /** The operating system's words for the first file-system error in the chain, else the innermost message. */
    private static String reason(Throwable error) {
        Throwable innermost = error;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException fs && fs.getReason() != null) {
                return fs.getReason();
            }
            innermost = t;
        }
        return String.valueOf(innermost.getMessage());
    }
}
