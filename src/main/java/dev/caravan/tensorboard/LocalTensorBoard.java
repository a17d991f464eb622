package dev.caravan.tensorboard;

import java.nio.file.Path;

import dev.caravan.storage.S3Location;

/**
 * On one machine the trainer's event files are all a TensorBoard needs. With the embedded S3 server they are plain
 * files below Caravan's home, so {@code tensorboard --logdir} reads them directly; the run's scalars are also kept
 * in Caravan's database for the API.
 */
final class LocalTensorBoard implements TensorBoardBackend {

    private final Path embeddedS3Root;

    /** {@code embeddedS3Root} is the embedded S3 server's folder, or null when S3 is an external service. */
    LocalTensorBoard(Path embeddedS3Root) {
        this.embeddedS3Root = embeddedS3Root;
    }

    @Override
    public TensorBoardInfo start(String runName, S3Location logDir) {
        if (embeddedS3Root == null) {
            return new TensorBoardInfo(logDir.uri(), "tensorboard --logdir " + logDir.uri()
                    + " (with S3_ENDPOINT and the AWS_* variables of your S3 service set)");
        }
        Path local = embeddedS3Root.resolve(logDir.bucket()).resolve(logDir.key()).toAbsolutePath().normalize();
        return new TensorBoardInfo(logDir.uri(), "tensorboard --logdir " + local);
    }
}
