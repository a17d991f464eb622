package dev.caravan.training;

import java.time.Duration;

import dev.caravan.storage.S3Location;

/** A finished training: where its SavedModel is, its last progress report, and how long it took. */
public record TrainingResult(S3Location export, TrainingProgress last, Duration duration) {
}
