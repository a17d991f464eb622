package dev.caravan.serving;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.caravan.storage.FolderOwner;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Local copies of exported SavedModels in {@code <cacheDir>/<model>/<version>/}, the layout TensorFlow Serving
 * reads. A copy is downloaded into a hidden {@code .<version>.partial-*} folder beside its final place and renamed
 * into it only once complete, so a version folder that exists is complete: a full or read-only disk, or a crash,
 * leaves at most a partial folder, which is never loaded and is deleted on the spot or at the next start. A version
 * already there is not downloaded again (exported versions never change), unless the run that owns its folder in S3
 * is not the one its copy came from.
 */
final class ExportCache {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final String PARTIAL = ".partial-";

    private final ObjectStore store;
    private final Path cacheDir;

    /** @throws ServingException when partial copies a crash left behind cannot be deleted, saying which */
    ExportCache(ObjectStore store, Path cacheDir) {
        this.store = store;
        this.cacheDir = cacheDir.toAbsolutePath();
        deleteLeftoverPartials();
    }

    /**
     * The local folder holding {@code export}, downloading it first unless it is already complete here.
     *
     * @throws ServingException saying whether the export or the local disk failed (full, read-only) and what to do
     */
    Path fetch(String model, long version, S3Location export) {
        Path target = folder(model, version);
        if (Files.isRegularFile(target.resolve("saved_model.pb")) && sameOwner(target, export)) {
            return target;
        }
        Path partial = null;
        try {
            Files.createDirectories(target.getParent());
            delete(target);
            requireSpace(model, version, export, target.getParent());
            partial = Files.createTempDirectory(target.getParent(), "." + version + PARTIAL);
            store.downloadDirectory(export, partial);
            if (!Files.isRegularFile(partial.resolve("saved_model.pb"))) {
                throw new ServingException("cannot serve version " + version + " of model " + model + ": " + export
                        + " holds no saved_model.pb; point at the folder the trainer exported the SavedModel into");
            }
            moveIntoPlace(partial, target);
            return target;
        } catch (SdkException e) {
            throw withCleanup(new ServingException("cannot download version " + version + " of model " + model
                    + " from " + export + ": " + e.getMessage() + "; check that the export exists and the S3 settings",
                    e), partial);
        } catch (IOException | UncheckedIOException e) {
            throw withCleanup(new ServingException("cannot copy version " + version + " of model " + model + " from "
                    + export + " to " + target + ": " + diskFault(e) + "; nothing of it is served, and the version"
                    + " served before keeps serving", e), partial);
        } catch (ServingException e) {
            throw withCleanup(e, partial);
        }
    }

    /**
     * Whether the local copy was made of the export that is in S3 now, by the run that owns its folder
     * ({@link FolderOwner}): a copy of another run's version of the same number (a bucket emptied and filled again) is
     * never served in its place. When S3 cannot be asked, the copy is taken as it is: it served before.
     */
    private boolean sameOwner(Path target, S3Location export) {
        Optional<String> owner;
        try {
            owner = FolderOwner.of(store, export);
        } catch (SdkException e) {
            return true;
        }
        Path local = target.resolve(FolderOwner.KEY);
        try {
            Optional<String> copied = Files.isRegularFile(local) ? Optional.of(Files.readString(local).trim())
                    : Optional.empty();
            return copied.equals(owner);
        } catch (IOException e) {
            return false;
        }
    }

    /** Forgets a local copy, so that serving the version again downloads it anew. */
    void evict(String model, long version) {
        delete(folder(model, version));
    }

    /** Fails before writing anything when the export cannot fit: a full disk is then not made fuller. */
    private void requireSpace(String model, long version, S3Location export, Path dir) throws IOException {
        long needed = store.list(export.asPrefix()).stream().mapToLong(o -> o.size() == null ? 0 : o.size()).sum();
        long free = Files.getFileStore(dir).getUsableSpace();
        if (needed > free) {
            throw new ServingException(String.format(Locale.ROOT, "cannot copy version %d of model %s from %s to %s:"
                    + " it needs %s and only %s are free there; free space (df -h %s; older versions in %s can go) or"
                    + " move caravan.home to a larger disk, then promote again. Nothing of it is served, and the version"
                    + " served before keeps serving", version, model, export, dir.resolve(Long.toString(version)),
                    size(needed), size(free), dir, dir));
        }
    }

    private static String size(long bytes) {
        return bytes >= 10_000_000 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1e6)
                : String.format(Locale.ROOT, "%d KB", (bytes + 999) / 1000);
    }

    private static void moveIntoPlace(Path partial, Path target) throws IOException {
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // Another serve() of the same version finished its copy first; either copy is the export.
            if (!Files.isRegularFile(target.resolve("saved_model.pb"))) {
                throw e;
            }
        }
    }

    /** The failure, with a word on the partial copy when it could not be deleted either. */
    private static ServingException withCleanup(ServingException failure, Path partial) {
        if (partial != null) {
            try {
                delete(partial);
            } catch (UncheckedIOException e) {
                // Never loaded (its name is no version), and deleted at the next start if possible.
                return new ServingException(failure.getMessage() + "; the partial copy " + partial
                        + " could not be deleted (" + diskFault(e) + ") and can go by hand", failure);
            }
        }
        return failure;
    }

    /** A local disk's failure in words: full, read-only or not writable, the path, and what to do. */
    private static String diskFault(Exception error) {
        String reason = String.valueOf(error.getMessage());
        Path path = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException fs && fs.getFile() != null) {
                path = Path.of(fs.getFile());
                reason = fs.getReason() == null ? t.getClass().getSimpleName() : fs.getReason();
            } else if (t.getCause() == null && t.getMessage() != null) {
                reason = t.getMessage();
            }
        }
        // Without a file-system exception, the outer message names the file: "cannot write <path>".
        String where = path != null ? " (writing " + path + ": " + reason + ")"
                : reason.equals(error.getMessage()) ? " (" + reason + ")" : " (" + error.getMessage() + ": " + reason + ")";
        String lower = reason.toLowerCase(Locale.ROOT);
        if (lower.contains("no space left") || lower.contains("quota exceeded")) {
            return "the disk is full" + where + "; free space under caravan.home (df -h shows how much"
                    + " is left; older versions in its serving folder can go) or move caravan.home to a larger disk,"
                    + " then promote again";
        }
        if (lower.contains("read-only file system")) {
            return "the disk is read-only" + where + "; remount it read-write or move caravan.home to"
                    + " a writable disk, then promote again";
        }
        if (lower.contains("permission denied") || lower.contains("operation not permitted")
                || error instanceof AccessDeniedException || error.getCause() instanceof AccessDeniedException) {
            return "Caravan may not write there" + where + "; make caravan.home writable for the user"
                    + " Caravan runs as (and not immutable: see lsattr -d), then promote again";
        }
        return "the local copy failed" + where + "; check the disk that holds caravan.home";
    }

    /** Deletes the partial copies a crash or a lost power left: they are never served, only take space. */
    private void deleteLeftoverPartials() {
        if (!Files.isDirectory(cacheDir)) {
            return;
        }
        try (Stream<Path> models = Files.list(cacheDir)) {
            for (Path modelDir : models.filter(Files::isDirectory).toList()) {
                try (Stream<Path> entries = Files.list(modelDir)) {
                    List<Path> partials = entries.filter(p -> p.getFileName().toString().contains(PARTIAL)).toList();
                    partials.forEach(ExportCache::delete);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ServingException("cannot delete the partial copies of exports in " + cacheDir + ": "
                    + diskFault(e) + "; delete the folders named .<version>.partial-* there by hand", e);
        }
    }

    private Path folder(String model, long version) {
        if (!SAFE_NAME.matcher(model).matches()) {
            throw new ServingException("model name '" + model + "' cannot name a folder; use letters, digits, '.', "
                    + "'_' and '-', starting with a letter or digit");
        }
        if (version < 0) {
            throw new ServingException("model versions are numbers from 0 up, not " + version);
        }
        return cacheDir.resolve(model).resolve(Long.toString(version));
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + "; remove it by hand", e);
        }
    }
}
