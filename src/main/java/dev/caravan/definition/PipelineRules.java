package dev.caravan.definition;

import static dev.caravan.definition.PipelineDefinition.EVALUATION_BUILTINS;
import static dev.caravan.definition.PipelineDefinition.TRAINER_BUILTINS;
import static dev.caravan.definition.PipelineDefinition.VALIDATION_BUILTINS;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.caravan.definition.PipelineDefinition.Evaluation;
import dev.caravan.definition.PipelineDefinition.Gate;
import dev.caravan.definition.PipelineDefinition.SmokeTest;
import dev.caravan.definition.PipelineDefinition.Source;
import dev.caravan.definition.PipelineDefinition.Trainer;
import dev.caravan.definition.PipelineDefinition.Validation;
import dev.caravan.storage.S3Location;

/**
 * What makes a pipeline file runnable, checked key by key so that every problem is reported at once. Defaults:
 * a built-in MNIST trainer validates and evaluates with {@code mnist-idx}; a command trainer validates nothing and
 * is evaluated by its own {@code metrics.json}.
 */
final class PipelineRules {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    // S3 bucket naming rules (AWS "Bucket naming rules"): 3-63 lower-case letters, digits, '.' and '-'.
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final String METRIC_OF_MNIST_IDX = "accuracy";

    /** A problem that involves two pipelines, reported against one of them. */
    record Problem(String pipeline, String problem) {
    }

    private final String name;
    private final Optional<KubernetesTrainer> kubernetes;
    private final List<String> problems = new ArrayList<>();

    /**
     * Rules for the file of pipeline {@code name}; on {@code kubernetes} a trainer of the user's needs an image, and
     * a built-in trainer needs a TFJob and, for GPUs, the GPU image.
     */
    PipelineRules(String name, Optional<KubernetesTrainer> kubernetes) {
        this.name = name;
        this.kubernetes = kubernetes;
    }

    List<String> problems() {
        return problems;
    }

    /** The definition the file makes, or null when it has problems. */
    PipelineDefinition check(PipelineFile file) {
        String model = model(file.model());
        Source source = source(file.source());
        Trainer trainer = trainer(file.trainer());
        boolean builtinTrainer = trainer != null && trainer.isBuiltin();
        Validation validation = validation(file.validation(), builtinTrainer);
        Evaluation evaluation = evaluation(file.evaluation(), builtinTrainer);
        Gate gate = gate(file.gate(), evaluation);
        SmokeTest smokeTest = smokeTest(file.smokeTest(), validation);
        return problems.isEmpty() ? new PipelineDefinition(name, model, source, trainer, validation, evaluation, gate,
                smokeTest) : null;
    }

    /** Problems between pipelines: two serving one model, or two watching overlapping prefixes. */
    static List<Problem> across(List<PipelineDefinition> pipelines) {
        List<Problem> found = new ArrayList<>();
        for (int i = 0; i < pipelines.size(); i++) {
            for (int j = i + 1; j < pipelines.size(); j++) {
                PipelineDefinition a = pipelines.get(i);
                PipelineDefinition b = pipelines.get(j);
                if (a.model().equals(b.model())) {
                    found.add(new Problem(b.name(), "model: '" + b.model() + "' is already the model of pipeline '"
                            + a.name() + "'; each pipeline serves a model of its own"));
                }
                if (a.source().bucket().equals(b.source().bucket())
                        && (a.source().prefix().startsWith(b.source().prefix())
                        || b.source().prefix().startsWith(a.source().prefix()))) {
                    found.add(new Problem(b.name(), "source.prefix: s3://" + b.source().bucket() + "/"
                            + b.source().prefix() + " overlaps pipeline '" + a.name() + "''s s3://" + a.source().bucket()
                            + "/" + a.source().prefix() + ", so one upload would start both; give each a prefix of its own"));
                }
            }
        }
        return found;
    }

    private String model(String model) {
        if (model == null || model.isBlank()) {
            return problem("model: missing; name the served model, e.g. model: " + name);
        }
        if (model.length() > 52 || !LABEL.matcher(model).matches()) {
            return problem("model: '" + model + "' must be at most 52 lower-case letters, digits and '-' (a DNS-1123"
                    + " label, since it names Kubernetes objects)");
        }
        return model;
    }

    private Source source(Source source) {
        if (source == null) {
            return problem("source: missing; give source.bucket and source.prefix, e.g. bucket: tfmnist, prefix: data/"
                    + name + "/");
        }
        if (source.bucket() == null || source.bucket().isBlank()) {
            problem("source.bucket: missing; name the S3 bucket the data lands in, e.g. bucket: tfmnist");
        } else if (!BUCKET.matcher(source.bucket()).matches()) {
            problem("source.bucket: '" + source.bucket() + "' is not an S3 bucket name (3-63 lower-case letters,"
                    + " digits, '.' and '-')");
        }
        if (source.prefix() == null || source.prefix().isBlank()) {
            problem("source.prefix: missing; name the folder the data lands in, ending in '/', e.g. prefix: data/"
                    + name + "/");
        } else if (source.prefix().startsWith("/") || !source.prefix().endsWith("/")) {
            problem("source.prefix: '" + source.prefix() + "' must end with '/' and not start with '/', e.g. data/"
                    + name + "/");
        }
        if (source.marker().contains("/")) {
            problem("source.marker: '" + source.marker() + "' must be an object name directly under the prefix, e.g."
                    + " _SUCCESS");
        }
        if (source.quietPeriod().isNegative()) {
            problem("source.quietPeriod: " + source.quietPeriod() + " is negative; use 0s (off) or e.g. 30s");
        }
        return source;
    }

    private Trainer trainer(Trainer trainer) {
        if (trainer == null) {
            return problem("trainer: missing; use trainer.builtin (" + String.join(", ", TRAINER_BUILTINS)
                    + ") or trainer.command");
        }
        if (trainer.isBuiltin() == !trainer.command().isEmpty()) {
            return problem("trainer: give either builtin (" + String.join(", ", TRAINER_BUILTINS) + ") or command: [..]"
                    + (trainer.isBuiltin() ? ", not both" : ""));
        }
        if (trainer.isBuiltin() && !TRAINER_BUILTINS.contains(trainer.builtin())) {
            problem("trainer.builtin: '" + trainer.builtin() + "' is not a built-in trainer; use one of "
                    + String.join(", ", TRAINER_BUILTINS) + ", or command: [..] for a trainer of your own");
        }
        if (trainer.isBuiltin() && trainer.imageName().isPresent()) {
            problem("trainer.image: a built-in trainer runs in Caravan's own image; remove image, or give a command"
                    + " that your image runs");
        }
        if (kubernetes.isPresent() && !trainer.isBuiltin() && trainer.imageName().isEmpty()) {
            problem("trainer.image: missing; on the kubernetes runtime a trainer of your own runs as trainer.command in"
                    + " the container image named here, e.g. image: registry.example/" + name + "-trainer:1");
        }
        if (trainer.timeout().isNegative() || trainer.timeout().isZero()) {
            problem("trainer.timeout: " + trainer.timeout() + " must be positive, e.g. 15m");
        }
        trainer.parameters().forEach((key, value) -> {
            if (!Pattern.matches("[a-zA-Z][a-zA-Z0-9]*", key)) {
                problem("trainer.parameters." + key + ": a parameter's name is letters and digits in camelCase, such as"
                        + " trainSteps (it reaches the trainer as TF_TRAIN_STEPS)");
            }
        });
        if (trainer.isBuiltin()) {
            BuiltinParameters.problems(trainer.parameters()).forEach(p -> problem("trainer.parameters." + p));
        }
        kubernetes.ifPresent(k -> k.refusals(trainer).forEach(r -> problem("trainer.builtin: " + r)));
        return trainer;
    }

    private Validation validation(Validation validation, boolean builtinTrainer) {
        if (validation == null) {
            return new Validation(builtinTrainer ? "mnist-idx" : "none", List.of());
        }
        if ((validation.builtin() != null) == !validation.command().isEmpty()) {
            return problem("validation: give either builtin (" + String.join(", ", VALIDATION_BUILTINS)
                    + ") or command: [..] (exit 0 = valid)");
        }
        if (validation.builtin() != null && !VALIDATION_BUILTINS.contains(validation.builtin())) {
            problem("validation.builtin: '" + validation.builtin() + "' is not a built-in validation; use one of "
                    + String.join(", ", VALIDATION_BUILTINS) + ", or command: [..]");
        }
        return validation;
    }

    private Evaluation evaluation(Evaluation evaluation, boolean builtinTrainer) {
        if (evaluation == null || evaluation.builtin() == null) {
            return new Evaluation(builtinTrainer ? "mnist-idx" : "trainer");
        }
        if (!EVALUATION_BUILTINS.contains(evaluation.builtin())) {
            problem("evaluation.builtin: '" + evaluation.builtin() + "' is not a built-in evaluation; use one of "
                    + String.join(", ", EVALUATION_BUILTINS));
        }
        return evaluation;
    }

    private Gate gate(PipelineFile.GateFile gate, Evaluation evaluation) {
        if (gate == null || gate.min() == null) {
            return problem("gate.min: missing; set the least value of the gate's metric a version needs to be promoted,"
                    + " e.g. gate: {metric: accuracy, min: 0.9}");
        }
        String metric = gate.metric() == null || gate.metric().isBlank() ? METRIC_OF_MNIST_IDX : gate.metric();
        if (evaluation.isBuiltin("mnist-idx") && !metric.equals(METRIC_OF_MNIST_IDX)) {
            problem("gate.metric: '" + metric + "' is not produced by evaluation.builtin mnist-idx, which measures only"
                    + " accuracy; use metric: accuracy, or evaluation: {builtin: trainer} to read " + metric
                    + " from the trainer's metrics.json");
        }
        if (metric.equals(METRIC_OF_MNIST_IDX) && (gate.min() < 0 || gate.min() > 1)) {
            problem("gate.min: " + gate.min() + " cannot be reached: accuracy is a share from 0 to 1, e.g. min: 0.97");
        }
        double tolerance = gate.tolerance() == null ? 0 : gate.tolerance();
        if (!Double.isFinite(gate.min()) || !Double.isFinite(tolerance) || tolerance < 0) {
            problem(String.format(Locale.ROOT, "gate: min %s and tolerance %s must be finite, the tolerance at least 0",
                    gate.min(), tolerance));
        }
        return new Gate(metric, gate.min(), tolerance);
    }

    private SmokeTest smokeTest(PipelineFile.SmokeTestFile smokeTest, Validation validation) {
        String samples = smokeTest == null ? null : smokeTest.samples();
        double minCorrect = smokeTest == null || smokeTest.minCorrect() == null ? 0.9 : smokeTest.minCorrect();
        if (!(minCorrect >= 0 && minCorrect <= 1)) {
            problem("smokeTest.minCorrect: " + minCorrect + " must be a share from 0 to 1, e.g. 0.9");
        }
        Optional<S3Location> location = Optional.empty();
        if (samples != null && !samples.isBlank()) {
            try {
                location = Optional.of(S3Location.parse(samples.trim()));
            } catch (IllegalArgumentException e) {
                problem("smokeTest.samples: '" + samples + "' is not an s3://bucket/key location of a JSON-lines file");
            }
        } else if (validation != null && !validation.isBuiltin("mnist-idx")) {
            problem("smokeTest.samples: missing; only an mnist-idx pipeline can take its samples from the data, so name"
                    + " an s3://bucket/key of JSON lines, each {\"instances\": [..], \"expected\": {..}}");
        }
        return new SmokeTest(location, minCorrect);
    }

    private <T> T problem(String problem) {
        problems.add(problem);
        return null;
    }
}
