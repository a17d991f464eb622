package dev.caravan.pipeline;

import java.util.Set;

import org.springframework.batch.core.JobParameters;

import dev.caravan.system.CaravanProperties;

/** A run's training settings: the configured ones, unless the run's parameters say otherwise. */
final class TrainingSettings {

    static final String TRAIN_STEPS = "trainSteps";
    static final String BATCH_SIZE = "batchSize";
    static final String LEARNING_RATE = "learningRate";

    private static final Set<String> NAMES = Set.of(TRAIN_STEPS, BATCH_SIZE, LEARNING_RATE);

    private TrainingSettings() {
    }

    /** Checks that {@code name} is a training setting and {@code value} a valid one for it; returns the name. */
    static String checked(String name, String value) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown run parameter '" + name + "'; known: " + NAMES);
        }
        try {
            double number = Double.parseDouble(value);
            boolean whole = !LEARNING_RATE.equals(name);
            if (number <= 0 || (whole && number != Math.rint(number))) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("run parameter " + name + "=" + value + " must be a positive "
                    + (LEARNING_RATE.equals(name) ? "number" : "whole number"));
        }
        return name;
    }

    static CaravanProperties.Training of(JobParameters parameters, CaravanProperties.Training configured) {
        return new CaravanProperties.Training(
                intOr(parameters.getString(TRAIN_STEPS), configured.steps()),
                intOr(parameters.getString(BATCH_SIZE), configured.batchSize()),
                parameters.getString(LEARNING_RATE) == null ? configured.learningRate()
                        : Double.parseDouble(parameters.getString(LEARNING_RATE)),
                configured.timeout(), configured.jvmOptions());
    }

    private static int intOr(String value, int fallback) {
        return value == null ? fallback : (int) Double.parseDouble(value);
    }
}
