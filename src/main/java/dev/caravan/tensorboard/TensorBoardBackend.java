package dev.caravan.tensorboard;

import dev.caravan.storage.S3Location;

/**
 * Gives a run a TensorBoard over its event files. The {@code local} implementation points at the files the trainer
 * writes; the {@code kubernetes} one runs a TensorBoard Deployment and Service.
 */
public interface TensorBoardBackend {

    /** Makes the run's TensorBoard available (or finds the one it already has) and says where to open it. */
    TensorBoardInfo start(String runName, S3Location logDir);
}
