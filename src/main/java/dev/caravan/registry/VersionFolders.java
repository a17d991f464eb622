package dev.caravan.registry;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

import org.springframework.stereotype.Service;

import dev.caravan.storage.FolderOwner;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/**
 * Model versions as folders of the bucket ({@code models/<model>/<n>/}, the layout TensorFlow Serving loads), each
 * owned by the run that reserved it. A version number is never given twice, even when the database was wiped: it is
 * always above the highest folder in S3. A run writes only into its own folder and takes only its own export.
 */
@Service
public class VersionFolders {

    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,18}");

    private final ModelRegistry registry;
    private final ObjectStore store;

    public VersionFolders(ModelRegistry registry, ObjectStore store) {
        this.registry = registry;
        this.store = store;
    }

    /**
     * The version {@code runName} trains into below {@code modelBase} ({@code s3://<bucket>/models/<model>/}): the one
     * it reserved before, else a new one above both the registry's and S3's highest; its folder is claimed for the run.
     *
     * @throws VersionFolderTakenException when the folder holds another run's version, naming it
     */
    public ModelVersion reserve(String model, String runName, String snapshot, S3Location modelBase) {
        ModelVersion version = registry.reserve(model, runName, snapshot, highest(modelBase),
                v -> modelBase.resolve(v + "/"));
        claim(version.export(), runName);
        return version;
    }

    /** The highest version folder below {@code modelBase}, 0 when there is none; other names are not versions. */
    public long highest(S3Location modelBase) {
        return store.folders(modelBase).stream().map(folder -> number(modelBase, folder))
                .filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).max().orElse(0);
    }

    /**
     * Makes {@code runName} the owner of the version folder {@code export}, which must be its own already or empty.
     *
     * A folder written before versions named their run is the run's when the registry reserved it for that run (a
     * run begun before these claims, resumed).
     *
     * @throws VersionFolderTakenException when another run owns it, or it holds objects no run claimed
     */
    public void claim(S3Location export, String runName) {
        Optional<String> owner = FolderOwner.of(store, export);
        if (owner.isEmpty()) {
            if (!store.isEmpty(export) && !reservedFor(export, runName)) {
                throw new VersionFolderTakenException(export, null, runName);
            }
            owner = Optional.of(FolderOwner.claim(store, export, runName));
        }
        if (!owner.get().equals(runName)) {
            throw new VersionFolderTakenException(export, owner.get(), runName);
        }
    }

    private boolean reservedFor(S3Location export, String runName) {
        return registry.byRun(runName).map(v -> v.export().asPrefix().equals(export.asPrefix())).orElse(false);
    }

    /**
     * Checks that what is in the version folder {@code export} is {@code runName}'s: a folder another run claimed is
     * never taken as this run's output. A folder nobody claimed (a version older than these claims) passes.
     *
     * @throws VersionFolderTakenException when another run owns it
     */
    public void checkOwner(S3Location export, String runName) {
        Optional<String> owner = FolderOwner.of(store, export);
        if (owner.isPresent() && !owner.get().equals(runName)) {
            throw new VersionFolderTakenException(export, owner.get(), runName);
        }
    }

    /** The version number a folder below {@code modelBase} stands for, if its name is a number. */
    static OptionalLong number(S3Location modelBase, S3Location folder) {
        String name = folder.key().substring(modelBase.asPrefix().key().length()).replaceAll("/$", "");
        return NUMBER.matcher(name).matches() ? OptionalLong.of(Long.parseLong(name)) : OptionalLong.empty();
    }

    /** A run asked to write into, or take the export of, a version folder that is not its own. */
    public static class VersionFolderTakenException extends IllegalStateException {

        VersionFolderTakenException(S3Location export, String owner, String runName) {
            super(export.asPrefix() + " already holds a version ("
                    + (owner == null || owner.isEmpty() ? "written before versions named their run in "
                            + FolderOwner.KEY : "of run " + owner)
                    + "); run " + runName + " neither writes into it nor takes its export. Versions are numbered above"
                    + " the highest folder in S3, so another writer took it (a second Caravan with a database of its own?):"
                    + " give each Caravan a bucket of its own, or one shared database, then resubmit the run");
        }
    }
}
