package dev.caravan.tensorboard;

/** Where a run's TensorBoard is: its event files and how a person opens it. */
public record TensorBoardInfo(String logDir, String howToOpen) {
}
