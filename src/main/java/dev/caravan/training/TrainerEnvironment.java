package dev.caravan.training;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.TreeMap;
import java.util.Map;

import dev.caravan.storage.S3Settings;

/**
 * The environment contract of a trainer container, the same for a local child process and a TFJob's
 * {@code tensorflow} container: where the data, checkpoints and export go, the hyper-parameters, and how to reach S3
 * ({@link S3Settings#toEnvironment()}).
 */
public final class TrainerEnvironment {

    /** {@code s3://bucket/prefix} of the four MNIST IDX files. */
    public static final String TF_DATA_DIR = "TF_DATA_DIR";
    /** {@code s3://bucket/prefix} for checkpoints and TensorBoard event files. */
    public static final String TF_MODEL_DIR = "TF_MODEL_DIR";
    /** {@code s3://bucket/prefix} of the SavedModel version folder, e.g. {@code s3://tfmnist/models/mnist/3/}. */
    public static final String TF_EXPORT_DIR = "TF_EXPORT_DIR";
    /** Which built-in trainer a Caravan trainer image runs: {@code mnist-cnn} (the default) or {@code mnist-mlp}. */
    public static final String CARAVAN_TRAINER = "CARAVAN_TRAINER";
    /** Training steps (mini-batches), default 1000. */
    public static final String TF_TRAIN_STEPS = "TF_TRAIN_STEPS";
    /** Images per mini-batch, default 100. */
    public static final String TF_BATCH_SIZE = "TF_BATCH_SIZE";
    /** Adam's learning rate, default 0.001. */
    public static final String TF_LEARNING_RATE = "TF_LEARNING_RATE";

    /** The file in {@code TF_MODEL_DIR} where a trainer leaves its metrics. */
    public static final String METRICS_FILE = "metrics.json";

    private TrainerEnvironment() {
    }

    /**
     * The variables that make a trainer run {@code request} against the S3 service {@code s3}: the locations, then
     * every hyper-parameter as {@code TF_} and its name in upper snake case ({@code trainSteps} is
     * {@code TF_TRAIN_STEPS}), and for a built-in trainer which one it is.
     */
    public static Map<String, String> of(TrainingRequest request, S3Settings s3) {
        Map<String, String> env = new LinkedHashMap<>(s3.toEnvironment());
        env.put(TF_DATA_DIR, request.dataDir().asPrefix().uri());
        env.put(TF_MODEL_DIR, request.modelDir().asPrefix().uri());
        env.put(TF_EXPORT_DIR, request.exportDir().asPrefix().uri());
        new TreeMap<>(request.parameters()).forEach((name, value) -> env.put(variable(name), value));
        if (request.trainer().isBuiltin()) {
            env.put(CARAVAN_TRAINER, request.trainer().builtin());
        }
        return env;
    }

    /** {@code learningRate} -> {@code TF_LEARNING_RATE}. */
    public static String variable(String parameter) {
        return "TF_" + parameter.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
