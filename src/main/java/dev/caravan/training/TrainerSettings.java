package dev.caravan.training;

import static dev.caravan.training.TrainerEnvironment.CARAVAN_TRAINER;
import static dev.caravan.training.TrainerEnvironment.TF_BATCH_SIZE;
import static dev.caravan.training.TrainerEnvironment.TF_DATA_DIR;
import static dev.caravan.training.TrainerEnvironment.TF_EXPORT_DIR;
import static dev.caravan.training.TrainerEnvironment.TF_LEARNING_RATE;
import static dev.caravan.training.TrainerEnvironment.TF_LEARNING_RATE_SCHEDULE;
import static dev.caravan.training.TrainerEnvironment.TF_MODEL_DIR;
import static dev.caravan.training.TrainerEnvironment.TF_TRAIN_STEPS;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;

/**
 * What a trainer reads from its environment; an invalid value fails with a message naming the variable. With a
 * {@code cluster} (from {@code TF_CONFIG}) the trainer is one replica of parameter-server training.
 */
record TrainerSettings(
        DigitModel model,
        S3Location dataDir,
        S3Location modelDir,
        S3Location exportDir,
        int trainSteps,
        int batchSize,
        float learningRate,
        LearningRateSchedule learningRateSchedule,
        S3Settings s3,
        Optional<TfConfig> cluster,
        boolean syncReplicas) {

    static final int DEFAULT_TRAIN_STEPS = 600;
    static final int DEFAULT_BATCH_SIZE = 100;
    static final float DEFAULT_LEARNING_RATE = 0.004f;
    static final LearningRateSchedule DEFAULT_LEARNING_RATE_SCHEDULE = LearningRateSchedule.WARMUP_COSINE;
    /** {@code TF_SYNC_REPLICAS}: 1 (the default) averages one gradient from every task per step, 0 applies each. */
    static final String TF_SYNC_REPLICAS = "TF_SYNC_REPLICAS";
    private static final int MAX_BATCH_SIZE = 10_000;

    /** @throws IllegalArgumentException naming the missing or invalid variable and what it should hold */
    static TrainerSettings fromEnvironment(Map<String, String> env) {
        return new TrainerSettings(
                model(env),
                location(env, TF_DATA_DIR, "the s3://bucket/prefix of the MNIST IDX files"),
                location(env, TF_MODEL_DIR, "the s3://bucket/prefix for checkpoints and TensorBoard events"),
                location(env, TF_EXPORT_DIR, "the s3://bucket/prefix of the model version, e.g. s3://tfmnist/models/mnist/1/"),
                positiveInt(env, TF_TRAIN_STEPS, DEFAULT_TRAIN_STEPS, Integer.MAX_VALUE),
                positiveInt(env, TF_BATCH_SIZE, DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE),
                learningRate(env),
                learningRateSchedule(env),
                s3(env),
                TfConfig.fromEnvironment(env),
                wholeNumber(env, TF_SYNC_REPLICAS, 1, 0, 1) == 1);
    }

    /** Every tenth of the run, at most every 100 steps: often enough to watch, rarely enough to cost nothing. */
    int reportEvery() {
        return Math.max(1, Math.min(100, trainSteps / 10));
    }

    private static DigitModel model(Map<String, String> env) {
        String name = env.get(CARAVAN_TRAINER);
        if (name == null || name.isBlank()) {
            return new CnnModel();
        }
        return DigitModel.builtin(name.trim()).orElseThrow(() -> new IllegalArgumentException(CARAVAN_TRAINER + "='"
                + name + "' is not a built-in trainer; set it to one of "
                + DigitModel.builtins().stream().map(DigitModel::name).collect(Collectors.joining(", "))
                + ", or unset it for " + CnnModel.NAME));
    }

    private static S3Settings s3(Map<String, String> env) {
        try {
            return S3Settings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("environment variable")) {
                throw e;
            }
            throw new IllegalArgumentException(S3Settings.S3_ENDPOINT + "='" + env.get(S3Settings.S3_ENDPOINT)
                    + "' is not a host:port or URL (" + e.getMessage() + "); set it to the S3 endpoint, e.g. minio:9000");
        }
    }

    private static S3Location location(Map<String, String> env, String name, String meaning) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set; set it to " + meaning);
        }
        try {
            return S3Location.parse(value.trim()).asPrefix();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + "='" + value + "' is not an S3 location; set it to " + meaning);
        }
    }

    private static int positiveInt(Map<String, String> env, String name, int defaultValue, int max) {
        return wholeNumber(env, name, defaultValue, 1, max);
    }

    private static int wholeNumber(Map<String, String> env, String name, int defaultValue, int min, int max) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        throw new IllegalArgumentException(name + "='" + value + "' is not a whole number from " + min + " to " + max
                + "; unset it for the default " + defaultValue);
    }

    private static float learningRate(Map<String, String> env) {
        String value = env.get(TF_LEARNING_RATE);
        if (value == null || value.isBlank()) {
            return DEFAULT_LEARNING_RATE;
        }
        try {
            float parsed = Float.parseFloat(value.trim());
            if (parsed > 0 && parsed < 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        throw new IllegalArgumentException(TF_LEARNING_RATE + "='" + value + "' is not a number between 0 and 1"
                + " (exclusive); unset it for the default " + DEFAULT_LEARNING_RATE);
    }

    private static LearningRateSchedule learningRateSchedule(Map<String, String> env) {
        String value = env.get(TF_LEARNING_RATE_SCHEDULE);
        if (value == null || value.isBlank()) {
            return DEFAULT_LEARNING_RATE_SCHEDULE;
        }
        try {
            return LearningRateSchedule.of(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TF_LEARNING_RATE_SCHEDULE + "=" + e.getMessage()
                    + ", or unset it for the default " + DEFAULT_LEARNING_RATE_SCHEDULE.id());
        }
    }
}
