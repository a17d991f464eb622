package dev.caravan.definition;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.caravan.storage.S3Location;

/**
 * One pipeline, read from {@code config/pipelines/<name>.yaml}: which model it serves, where its data lands, how it
 * is trained, validated, evaluated, gated and smoke-tested. Every key a file may hold is a component here.
 *
 * @param name       the pipeline's name: its file's name without {@code .yaml}
 * @param model      the served model's name, as TensorFlow Serving's clients ask for it (a DNS-1123 label)
 */
public record PipelineDefinition(String name, String model, Source source, Trainer trainer, Validation validation,
                                 Evaluation evaluation, Gate gate, SmokeTest smokeTest) {

    /** The built-in trainers: Caravan's own MNIST models, run from its own image or class path. */
    public static final List<String> TRAINER_BUILTINS = List.of("mnist-cnn", "mnist-mlp");
    /** The built-in data checks: the four MNIST IDX files, or nothing. */
    public static final List<String> VALIDATION_BUILTINS = List.of("mnist-idx", "none");
    /** The built-in evaluations: accuracy on the snapshot's IDX test set, or the trainer's own {@code metrics.json}. */
    public static final List<String> EVALUATION_BUILTINS = List.of("mnist-idx", "trainer");

    /** Where the pipeline's data lands, and when an upload counts as complete. */
    public record Source(String bucket, String prefix, String marker, Duration quietPeriod) {

        public Source {
            marker = marker == null || marker.isBlank() ? "_SUCCESS" : marker;
            quietPeriod = quietPeriod == null ? Duration.ZERO : quietPeriod;
        }

        public S3Location location() {
            return new S3Location(bucket, prefix);
        }

        /** The key of the completion marker, e.g. {@code data/mnist/_SUCCESS}. */
        public String markerKey() {
            return prefix + marker;
        }

        public boolean quietPeriodEnabled() {
            return !quietPeriod.isZero();
        }
    }

    /**
     * How the model is trained: a {@code builtin} trainer, or a user's {@code command} (local runtime) and
     * {@code image} plus {@code command} (kubernetes), all honouring the trainer contract of {@code TrainerEnvironment}.
     *
     * @param parameters hyper-parameters by name, e.g. {@code trainSteps: 1000}; each reaches the trainer as
     *                   {@code TF_<NAME_IN_UPPER_SNAKE_CASE>}, and a run may override the ones named here
     * @param timeout    how long one training may take before it is stopped (default 15 minutes)
     */
    public record Trainer(String builtin, List<String> command, String image, Map<String, String> parameters,
                          Duration timeout) {

        public Trainer {
            command = command == null ? List.of() : List.copyOf(command);
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
            timeout = timeout == null ? Duration.ofMinutes(15) : timeout;
        }

        public boolean isBuiltin() {
            return builtin != null;
        }

        public Optional<String> imageName() {
            return Optional.ofNullable(image).filter(i -> !i.isBlank());
        }
    }

    /** How the data is checked before training: a {@code builtin}, or a {@code command} (exit 0 = valid). */
    public record Validation(String builtin, List<String> command) {

        public Validation {
            command = command == null ? List.of() : List.copyOf(command);
        }

        public boolean isBuiltin(String name) {
            return name.equals(builtin);
        }
    }

    /** Where the gate's metric comes from: {@code mnist-idx} (accuracy on the test set) or {@code trainer}. */
    public record Evaluation(String builtin) {

        public boolean isBuiltin(String name) {
            return name.equals(builtin);
        }
    }

    /**
     * The evaluation gate: a candidate is promoted only if {@code metric} reaches {@code min} and is no worse than
     * the serving version's by more than {@code tolerance}. Higher is better.
     */
    public record Gate(String metric, double min, double tolerance) {
    }

    /**
     * The smoke test after promotion: {@code samples} is an {@code s3://} object of JSON lines, each a TensorFlow
     * Serving REST request with its expected answer; empty for an {@code mnist-idx} pipeline means the snapshot's
     * first ten test images. {@code minCorrect} is the share that must be answered right.
     */
    public record SmokeTest(Optional<S3Location> samples, double minCorrect) {
    }

    /**
     * The hyper-parameters a run trains with: the file's, with {@code overrides} in their place. Overrides may use the
     * Kubeflow example's names ({@code tf-worker=3} is {@code workers=3}); the result has Caravan's names.
     *
     * @throws IllegalArgumentException naming a parameter the trainer does not take, a value out of its range, one
     *                                  parameter given twice under two names, or an example parameter that is a
     *                                  setting in Caravan (with the setting to change)
     */
    public Map<String, String> parameters(Map<String, String> overrides) {
        Map<String, String> effective = new TreeMap<>(trainer.parameters());
        effective.putAll(checked(overrides));
        return effective;
    }

    /**
     * The overrides that differ from the file's own parameters, by Caravan's names, checked and written plainly: what
     * identifies a run besides its model and snapshot.
     *
     * @throws IllegalArgumentException as {@link #parameters(Map)}
     */
    public Map<String, String> overrides(Map<String, String> settings) {
        Map<String, String> differing = new TreeMap<>();
        checked(settings).forEach((name, value) -> {
            if (!value.equals(trainer.parameters().get(name))) {
                differing.put(name, value);
            }
        });
        return differing;
    }

    /** A run's value for one parameter, checked and written plainly; see {@link #parameters(Map)}. */
    public String parameter(String name, String value) {
        return BuiltinParameters.checked(trainer.isBuiltin(), trainer.parameters(), parameterName(name), value);
    }

    /**
     * Caravan's name for a run parameter: {@code name}, or the one a Kubeflow example name stands for.
     *
     * @throws IllegalArgumentException for an example parameter that is a setting in Caravan, naming the setting
     */
    public String parameterName(String name) {
        return ExampleParameters.canonical(this, name);
    }

    private Map<String, String> checked(Map<String, String> overrides) {
        Map<String, String> checked = new TreeMap<>();
        Map<String, String> givenAs = new TreeMap<>();
        overrides.forEach((name, value) -> {
            String canonical = parameterName(name);
            String plain = parameter(name, value);
            String before = checked.put(canonical, plain);
            if (before != null && !before.equals(plain)) {
                throw new IllegalArgumentException("parameter " + canonical + " is given twice, as " + givenAs.get(canonical)
                        + "=" + before + " and " + name + "=" + plain + "; give it once");
            }
            givenAs.put(canonical, name);
        });
        Map<String, String> effective = new TreeMap<>(trainer.parameters());
        effective.putAll(checked);
        ClusterShape.of(effective).filter(shape -> trainer.isBuiltin() && shape.workers() > 0 && shape.ps() == 0)
                .ifPresent(shape -> {
                    throw new IllegalArgumentException("parameter ps=0 with workers=" + shape.workers() + ": the built-in"
                            + " trainers do parameter-server training, where the weights live on the ps; give ps=1 or"
                            + " more, or leave ps out for one");
                });
        return checked;
    }

    /** The data prefix the trigger watches and the trainer reads. */
    public S3Location dataLocation() {
        return source.location();
    }
}
