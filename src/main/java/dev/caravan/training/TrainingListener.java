package dev.caravan.training;

/** Receives a trainer's progress as it runs. */
@FunctionalInterface
public interface TrainingListener {

    void onProgress(TrainingProgress progress);
}
