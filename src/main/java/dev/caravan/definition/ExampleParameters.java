package dev.caravan.definition;

import java.util.Map;

/**
 * The parameters of the Kubeflow MNIST example's Argo workflow ({@code argo submit model-train.yaml -p ...}), so that
 * {@code caravan submit -p tf-worker=3 -p model-train-steps=200} does what {@code argo submit} did there.
 * {@code tf-worker} is {@code workers} and {@code model-train-steps} is {@code trainSteps}; the others name what
 * Caravan takes from its own settings, so a run cannot give them, and are refused with the setting to change instead.
 */
final class ExampleParameters {

    static final Map<String, String> ALIASES = Map.of(
            "tf-worker", ClusterShape.WORKERS,
            "model-train-steps", "trainSteps");

    private ExampleParameters() {
    }

    /**
     * Caravan's name for the parameter {@code name} of a run of {@code pipeline}: {@code name} itself, or the
     * parameter an example name stands for.
     *
     * @throws IllegalArgumentException for an example parameter that is a setting in Caravan, naming that setting
     */
    static String canonical(PipelineDefinition pipeline, String name) {
        String alias = ALIASES.get(name);
        if (alias != null) {
            return alias;
        }
        String setting = switch (name) {
            case "s3-data-url" -> "a run reads the data that landed under its pipeline's source, "
                    + pipeline.dataLocation() + " (frozen as a snapshot when the upload completed); upload the data"
                    + " there, or change source.bucket and source.prefix in pipeline '" + pipeline.name() + "'";
            case "s3-train-base-url" -> "a run writes its checkpoints and event files to s3://"
                    + pipeline.source().bucket() + "/<caravan.training-prefix><run>/ and its export to s3://"
                    + pipeline.source().bucket() + "/<caravan.models-prefix>" + pipeline.model() + "/<version>/; set"
                    + " caravan.training-prefix (CARAVAN_TRAINING_PREFIX) and caravan.models-prefix"
                    + " (CARAVAN_MODELS_PREFIX)";
            case "job-name" -> "a run and its TFJob are named " + pipeline.model() + "-<10 hex digits of a hash of the"
                    + " model, the data snapshot and the run's parameters>, so the same work is never trained twice"
                    + " and a restarted Caravan adopts the job it created; leave it out (submit answers with the"
                    + " run's name)";
            case "tf-model-image" -> pipeline.trainer().isBuiltin()
                    ? "the built-in trainer runs in caravan.kubernetes.training.image (CARAVAN_TRAINER_IMAGE), or"
                    + " caravan.kubernetes.training.gpu-image when it asks for GPUs; set those"
                    : "this pipeline's trainer runs in its trainer.image; change it in pipeline '" + pipeline.name()
                    + "'";
            case "aws-endpoint-url", "s3-endpoint" -> "Caravan and its trainers reach S3 at caravan.s3.endpoint"
                    + " (CARAVAN_S3_ENDPOINT; empty: its embedded server), and pods at caravan.kubernetes.s3.endpoint"
                    + " (CARAVAN_K8S_S3_ENDPOINT) when they see it under another name";
            case "aws-region" -> "S3's region is caravan.s3.region (CARAVAN_S3_REGION)";
            case "s3-use-https", "s3-verify-ssl" -> "trainers get S3_USE_HTTPS and S3_VERIFY_SSL from the scheme of"
                    + " caravan.s3.endpoint (CARAVAN_S3_ENDPOINT): give it as https://... or http://...";
            case "namespace" -> "runs create their objects in caravan.kubernetes.namespace (CARAVAN_K8S_NAMESPACE)";
            default -> null;
        };
        if (setting != null) {
            throw new IllegalArgumentException("parameter " + name + " of the Kubeflow example is a setting in Caravan,"
                    + " not a run parameter: " + setting);
        }
        return name;
    }
}
