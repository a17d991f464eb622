package dev.caravan.training;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.caravan.storage.S3Settings;

/**
 * The trainer contract: what Caravan hands a trainer and what it expects back, the same for a built-in trainer and a
 * pipeline's own {@code trainer.command}, on the local runtime (a child process) and on Kubernetes (the
 * {@code tensorflow} container of a TFJob's pods).
 *
 * <h2>Environment</h2>
 * Every location is an {@code s3://bucket/prefix/} URI ending in {@code /}; append a file's name to it.
 * <dl>
 * <dt>{@code TF_DATA_DIR}</dt>
 * <dd>The data to train on: the run's snapshot, the copy of the pipeline's {@code source} prefix frozen when the run
 *     was triggered, e.g. {@code s3://tfmnist/snapshots/mnist/3f2a9c01de.../} (its objects under their names there,
 *     the marker left out, plus Caravan's {@code _SNAPSHOT} list of them). Uploads made since are not in it. Read it,
 *     never write it.</dd>
 * <dt>{@code TF_MODEL_DIR}</dt>
 * <dd>The run's own folder, e.g. {@code s3://tfmnist/training/mnist-3f2a9c01de/}: checkpoints, TensorBoard event
 *     files ({@code events.out.tfevents.*}, shown by the run's TensorBoard while it trains) and
 *     {@value #METRICS_FILE} (below).</dd>
 * <dt>{@code TF_EXPORT_DIR}</dt>
 * <dd>The model version's folder, e.g. {@code s3://tfmnist/models/mnist/3/}, a number never given before and
 *     claimed for the run ({@code _CARAVAN_RUN} in it names the run): the SavedModel goes here, as
 *     TensorFlow Serving loads it: {@code saved_model.pb} and {@code variables/}, tag {@code serve}, and the signature
 *     that requests (the smoke test's among them) call unless they name another, {@code serving_default}. Upload
 *     {@code saved_model.pb} last: Caravan takes a version whose {@code saved_model.pb} exists as complete.</dd>
 * <dt>{@code TF_<NAME>}</dt>
 * <dd>Each of the pipeline's {@code trainer.parameters}, its camelCase name in upper snake case ({@code trainSteps}
 *     is {@code TF_TRAIN_STEPS}), with the run's value as text: the file's, or the one a run was started with. The
 *     built-in trainers take {@code TF_TRAIN_STEPS} (mini-batches,
 *     default 600), {@code TF_BATCH_SIZE} (images per mini-batch, default 100), {@code TF_LEARNING_RATE} (Adam's peak
 *     rate, default 0.004) and {@code TF_LEARNING_RATE_SCHEDULE} ({@code warmup-cosine}, the default, or
 *     {@code constant}; see {@code LearningRateSchedule}); in a cluster also {@code TF_SYNC_REPLICAS} (1, the default: every step averages one gradient
 *     from the chief and each worker; 0: each applies its own as soon as it has it).</dd>
 * <dt>{@code S3_ENDPOINT}</dt>
 * <dd>The S3 service as {@code host:port}, without a scheme, e.g. {@code 127.0.0.1:9000}; on Kubernetes the address
 *     pods reach it at ({@code caravan.kubernetes.s3.endpoint}).</dd>
 * <dt>{@code S3_USE_HTTPS}, {@code S3_VERIFY_SSL}</dt>
 * <dd>{@code 1} or {@code 0}: whether to speak HTTPS to it, and whether to check its certificate.</dd>
 * <dt>{@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}</dt>
 * <dd>The region and credentials to sign S3 requests with (AWS Signature Version 4). On Kubernetes the credentials
 *     come from the S3 Secret ({@code caravan.kubernetes.s3.secret}) and are never written into the TFJob.</dd>
 * <dt>{@code CARAVAN_TRAINER}</dt>
 * <dd>Only for a built-in trainer: which one runs, {@code mnist-cnn} (the default) or {@code mnist-mlp}.</dd>
 * <dt>{@code TF_CONFIG}</dt>
 * <dd>Only for a distributed training (locally the run parameters {@code workers} and {@code ps}; on Kubernetes a job
 *     of more than one replica): the cluster and this process's task in it, exactly as training-operator v1 injects
 *     it into a TFJob's pods ({@code genTFConfigJSONStr}), e.g.
 *     {@code {"cluster":{"chief":["127.0.0.1:40001"],"worker":["127.0.0.1:40002"],"ps":["127.0.0.1:40003"]},
 *     "task":{"type":"worker","index":0},"environment":"cloud"}}. Caravan names the replicas {@code chief},
 *     {@code worker-<i>} and {@code ps-<i>}. Without it the trainer runs as a single process. Locally each replica
 *     is a child process listening on its own free loopback port, with the run's environment plus its
 *     {@code TF_CONFIG}; the chief's log is the run's log and its progress lines (the global step) the run's
 *     progress, each other replica's output goes to its own log ({@code caravan logs RUN --replica worker-0}). A
 *     replica that fails fails the run, naming it, and the others are killed; once the chief has exited 0 the others
 *     get 30 s to exit by themselves, then they are killed. The built-in trainers then do parameter-server training:
 *     the weights live on the {@code ps} tasks, the chief and the workers each train on their own batches, only the
 *     chief writes the checkpoint, {@code metrics.json} and the export, and every task writes its TensorBoard events
 *     to {@code TF_MODEL_DIR/<replica>/}.</dd>
 * </dl>
 * The local runtime also sets {@code TF_CPP_MIN_LOG_LEVEL=2}, to quiet TensorFlow's native log, and starts a
 * command trainer in the run's folder ({@code <caravan.home>/runs/<run>/}), so a relative path in its command starts
 * there. On Kubernetes the trainer runs as its image's user, in its image's working directory.
 *
 * <h2>Output</h2>
 * Everything the trainer prints, on stdout and stderr, goes to the run's log ({@code caravan logs <run>}; locally
 * {@code <caravan.home>/runs/<run>/trainer.log}). A line of the form
 * <pre>CARAVAN_PROGRESS {"step":100,"totalSteps":1000,"loss":0.31,"accuracy":0.92}</pre>
 * reports progress: the step reached, the steps in all, and the loss and accuracy (a share from 0 to 1) on the latest
 * batch. Caravan keeps them as the run's curves. A trainer that prints none has its progress shown as unknown.
 *
 * <h2>Metrics</h2>
 * A trainer may leave its own evaluation in {@code TF_MODEL_DIR/}{@value #METRICS_FILE}, in Kubeflow Pipelines'
 * {@code mlpipeline-metrics} format:
 * <pre>{"metrics": [{"name": "accuracy", "numberValue": 0.91}]}</pre>
 * A pipeline with {@code evaluation: {builtin: trainer}} (the default for a command trainer) gates the version on the
 * metric its {@code gate.metric} names, read from there; higher is better. The built-in trainers write
 * {@code accuracy} and {@code loss} on the data's test set.
 *
 * <h2>Exit status and time</h2>
 * <ul>
 * <li>{@code 0}: trained and exported. Exit 0 only once the SavedModel is in {@code TF_EXPORT_DIR}: Caravan fails a
 *     run whose trainer exited 0 without {@code TF_EXPORT_DIR/saved_model.pb}, naming it.</li>
 * <li>Anything else: failed. Caravan fails the run with "exit code N" and the last lines of the log, so print the
 *     reason last. The built-in trainers exit 1 when training fails and 2 when the environment is invalid, with the
 *     reason on stderr in one line. An exit code of 128 + N is read as killed by signal N: 137, SIGKILL, is what the
 *     kernel's OOM killer leaves; a JVM's {@code OutOfMemoryError} in the log is named as running out of memory.</li>
 * </ul>
 * A training that outlasts the pipeline's {@code trainer.timeout} (default 15 minutes) fails. Locally the trainer and
 * every process it started are then killed (SIGKILL, exit code 137), as they are when the run is stopped; on
 * Kubernetes the TFJob is left for inspection until its {@code activeDeadlineSeconds}, and deleted when the run is
 * stopped. Locally every process the trainer started carries {@code CARAVAN_RUN_DIR} (the run's folder) in its
 * environment: when the trainer ends, whatever of them still runs is killed too, even if its parent died first. After
 * a restart, Caravan follows a trainer that is still running instead of starting a second one, and
 * locally does not train again a run whose {@code saved_model.pb} is already there. A trainer started again (a retried
 * run, or a pod the operator restarts) may find files of the earlier attempt in {@code TF_MODEL_DIR}.
 */
public final class TrainerEnvironment {

    /** {@code s3://bucket/prefix/} of the data to train on, e.g. the four MNIST IDX files. */
    public static final String TF_DATA_DIR = "TF_DATA_DIR";
    /** {@code s3://bucket/prefix/} for checkpoints, TensorBoard event files and {@value #METRICS_FILE}. */
    public static final String TF_MODEL_DIR = "TF_MODEL_DIR";
    /** {@code s3://bucket/prefix/} of the SavedModel version folder, e.g. {@code s3://tfmnist/models/mnist/3/}. */
    public static final String TF_EXPORT_DIR = "TF_EXPORT_DIR";
    /** Which built-in trainer a Caravan trainer image runs: {@code mnist-cnn} (the default) or {@code mnist-mlp}. */
    public static final String CARAVAN_TRAINER = "CARAVAN_TRAINER";
    /** Training steps (mini-batches), default 600. */
    public static final String TF_TRAIN_STEPS = "TF_TRAIN_STEPS";
    /** Images per mini-batch, default 100. */
    public static final String TF_BATCH_SIZE = "TF_BATCH_SIZE";
    /** Adam's learning rate, default 0.004: the peak of the schedule. */
    public static final String TF_LEARNING_RATE = "TF_LEARNING_RATE";
    /** How the learning rate moves over the steps: {@code warmup-cosine} (the default) or {@code constant}. */
    public static final String TF_LEARNING_RATE_SCHEDULE = "TF_LEARNING_RATE_SCHEDULE";

    /** The file in {@code TF_MODEL_DIR} where a trainer may leave its metrics ({@code mlpipeline-metrics} format). */
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
