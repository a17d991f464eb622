package dev.caravan.serving;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Local copies of exported SavedModels in {@code <cacheDir>/<model>/<version>/}, the layout TensorFlow Serving
 * reads. A copy is downloaded beside its final place and renamed into it, so a version folder that exists is
 * complete, and a version already there is not downloaded again (exported versions never change).
 */
final class ExportCache {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final ObjectStore store;
    private final Path cacheDir;

    ExportCache(ObjectStore store, Path cacheDir) {
        this.store = store;
        this.cacheDir = cacheDir.toAbsolutePath();
    }

    /** The local folder holding {@code export}, downloading it first unless it is already complete here. */
    Path fetch(String model, long version, S3Location export) {
        Path target = folder(model, version);
        if (Files.isRegularFile(target.resolve("saved_model.pb"))) {
            return target;
        }
        Path partial = null;
        try {
            Files.createDirectories(target.getParent());
            delete(target);
            partial = Files.createTempDirectory(target.getParent(), "." + version + ".partial-");
            store.downloadDirectory(export, partial);
            if (!Files.isRegularFile(partial.resolve("saved_model.pb"))) {
                throw new ServingException("cannot serve version " + version + " of model " + model + ": " + export
                        + " holds no saved_model.pb; point at the folder the trainer exported the SavedModel into");
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // Another serve() of the same version finished its copy first; either copy is the export.
                if (!Files.isRegularFile(target.resolve("saved_model.pb"))) {
                    throw e;
                }
            }
            return target;
        } catch (IOException | UncheckedIOException | SdkException e) {
            throw new ServingException("cannot download version " + version + " of model " + model + " from " + export
                    + " to " + target + ": " + e.getMessage() + "; check that the export exists and the S3 settings", e);
        } finally {
            if (partial != null) {
                delete(partial);
            }
        }
    }

    /** Forgets a local copy, so that serving the version again downloads it anew. */
    void evict(String model, long version) {
        delete(folder(model, version));
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
