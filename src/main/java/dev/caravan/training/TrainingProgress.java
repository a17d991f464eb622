package dev.caravan.training;

/** One report from a running trainer: the step reached and the loss and accuracy on the latest batch. */
public record TrainingProgress(int step, int totalSteps, double loss, double accuracy) {
}
