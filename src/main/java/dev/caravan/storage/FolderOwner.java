package dev.caravan.storage;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The run that owns a folder of the bucket, e.g. a model version's {@code s3://tfmnist/models/mnist/3/}: its name, in
 * the object {@value #KEY} of the folder. Only the owner writes into the folder, and only the owner's files are taken
 * as its output. TensorFlow Serving ignores the object: it is no part of a SavedModel.
 */
public final class FolderOwner {

    /** The object that names the owner, directly in the folder. */
    public static final String KEY = "_CARAVAN_RUN";

    private FolderOwner() {
    }

    /** The run that owns {@code folder}, if one claimed it. */
    public static Optional<String> of(ObjectStore store, S3Location folder) {
        try {
            return Optional.of(new String(store.read(folder.resolve(KEY)), StandardCharsets.UTF_8).trim());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes {@code run} the owner of {@code folder} unless another run claimed it first (a conditional write, so two
     * claims never both win).
     *
     * @return the owner afterwards: {@code run}, or the run that was there first
     */
    public static String claim(ObjectStore store, S3Location folder, String run) {
        if (store.putIfAbsent(folder.resolve(KEY), (run + "\n").getBytes(StandardCharsets.UTF_8))) {
            return run;
        }
        return of(store, folder).orElse("");
    }
}
