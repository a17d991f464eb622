package dev.caravan.kubernetes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.caravan.definition.KubernetesTrainer;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.S3Settings;
import dev.caravan.training.TrainerEnvironment;
import dev.caravan.training.TrainingRequest;

/**
 * The {@code kubeflow.org/v1} training job of a run: named after the run, one replica spec per replica type
 * ({@link TrainingReplicas}), each with the trainer container under the name the operator expects and the trainer's
 * environment contract. A built-in trainer runs in Caravan's image ({@code caravan.kubernetes.training.image}, or
 * {@code gpu-image} with GPUs) and only in a TFJob; a pipeline's own trainer runs its {@code trainer.command} in its
 * {@code trainer.image} (in an MPIJob, on the Launcher only: the Workers run their image's own entrypoint for mpirun
 * to reach). TFJob containers publish {@code tfjob-port} 2222, the port the operator writes into {@code TF_CONFIG}.
 * No {@code successPolicy} is set: the default (the Chief succeeding) is when the built-in trainer's job is done.
 * Trainer pods run as a non-root user (uid 10001) on a read-only root filesystem, with {@code /tmp} as scratch space.
 */
public final class TrainingJobManifest {

    /** The TFJob port: the training-operator v1 default {@code tfjob-port}, which it puts in every TF_CONFIG. */
    static final int TFJOB_PORT = 2222;
    static final String TFJOB_PORT_NAME = "tfjob-port";
    private static final String TMP_SIZE = "4Gi";

    private final KubernetesSettings settings;
    private final S3Settings s3;

    public TrainingJobManifest(KubernetesSettings settings, S3Settings s3) {
        this.settings = settings;
        this.s3 = s3;
    }

    /** The job for {@code request}; throws {@link IllegalArgumentException} naming the bad setting. */
    public GenericKubernetesResource build(TrainingRequest request) {
        KubernetesSettings.Training training = settings.training();
        JobKind kind = training.kind();
        checked(request, training);
        TrainingReplicas replicas = TrainingReplicas.of(request, training);
        TrainerContainer container = container(request.trainer(), training);
        Map<String, Object> replicaSpecs = new LinkedHashMap<>();
        replicas.counts().forEach((type, count) -> replicaSpecs.put(type, replicaSpec(count,
                replicas.restartPolicy(type), podTemplate(request, container.forType(kind, type),
                        replicas.computes(type)))));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("runPolicy", runPolicy(training));
        spec.put(kind.replicaSpecsKey(), replicaSpecs);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(kind.apiVersion()).withKind(kind.name())
                .withNewMetadata().withName(request.runName()).withNamespace(settings.namespace())
                .withLabels(labels(request.runName())).endMetadata()
                .addToAdditionalProperties("spec", spec)
                .build();
    }

    static Map<String, String> labels(String runName) {
        Map<String, String> labels = Names.labels("trainer", runName, "training");
        labels.put(Names.RUN, runName);
        return labels;
    }

    /** The image and command line the trainer container runs; an empty command runs the image's entrypoint. */
    private record TrainerContainer(String image, List<String> command, List<String> args) {

        /** An MPIJob's Workers run no trainer: mpirun, on the Launcher, starts the ranks in them. */
        TrainerContainer forType(JobKind kind, String type) {
            return kind == JobKind.MPIJob && "Worker".equals(type) ? new TrainerContainer(image, List.of(), List.of())
                    : this;
        }
    }

    private static TrainerContainer container(PipelineDefinition.Trainer trainer, KubernetesSettings.Training training) {
        if (trainer.isBuiltin()) {
            String image = trainerRules(training).builtinImage();
            Names.image(training.gpu() > 0 ? "caravan.kubernetes.training.gpu-image" : "caravan.kubernetes.training.image",
                    image);
            return new TrainerContainer(image, training.command(), training.args());
        }
        String image = trainer.imageName().orElseThrow(() -> new IllegalArgumentException("the pipeline's trainer"
                + " command " + trainer.command() + " has no image to run in on Kubernetes; add trainer.image to the"
                + " pipeline file: an image that holds the command and what it needs, e.g."
                + " image: registry.example.com/mnist-trainer:1.0"));
        Names.image("trainer.image", image);
        return new TrainerContainer(image, trainer.command(), List.of());
    }

    private static KubernetesTrainer trainerRules(KubernetesSettings.Training training) {
        return new KubernetesTrainer(training.kind().name(), training.gpu(), training.image(), training.gpuImage(),
                training.workers(), training.ps());
    }

    private static void checked(TrainingRequest request, KubernetesSettings.Training training) {
        Names.dnsLabel("run name", request.runName());
        Names.atLeast("caravan.kubernetes.training.gpu", training.gpu(), 0);
        List<String> refusals = trainerRules(training).refusals(request.trainer());
        if (!refusals.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", refusals));
        }
        Names.quantity("caravan.kubernetes.training.cpu", training.cpu());
        Names.quantity("caravan.kubernetes.training.memory", training.memory());
    }

    private Map<String, Object> replicaSpec(int replicas, String restartPolicy, PodTemplateSpec template) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("replicas", replicas);
        spec.put("restartPolicy", restartPolicy);
        spec.put("template", Serialization.jsonMapper().convertValue(template, Map.class));
        return spec;
    }

    private PodTemplateSpec podTemplate(TrainingRequest request, TrainerContainer container, boolean computes) {
        KubernetesSettings.Training training = settings.training();
        Map<String, Quantity> resources = new LinkedHashMap<>();
        resources.put("cpu", new Quantity(training.cpu()));
        resources.put("memory", new Quantity(training.memory()));
        Map<String, Quantity> limits = new LinkedHashMap<>(resources);
        if (training.gpu() > 0 && computes) {
            limits.put("nvidia.com/gpu", new Quantity(Integer.toString(training.gpu())));
        }
        return new PodTemplateSpecBuilder()
                .withNewMetadata().withLabels(labels(request.runName())).endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName(training.kind().containerName())
                .withImage(container.image())
                .withCommand(container.command().isEmpty() ? null : container.command())
                .withArgs(container.args().isEmpty() ? null : container.args())
                .withPorts(ports(training.kind()))
                .withEnv(PodEnvironment.of(TrainerEnvironment.of(request, PodEnvironment.podS3(s3, settings.s3())), settings.s3()))
                .addToEnv(new EnvVar("HOME", PodSecurity.TMP_PATH, null))
                .withNewResources().withRequests(resources).withLimits(limits).endResources()
                .withSecurityContext(PodSecurity.container()).addToVolumeMounts(PodSecurity.tmpMount())
                .endContainer()
                .withSecurityContext(PodSecurity.pod()).withAutomountServiceAccountToken(false)
                // TensorFlow Java unpacks its native library (~650 MB) into /tmp, and the export is staged there.
                .addToVolumes(PodSecurity.tmpVolume(TMP_SIZE))
                .withNodeSelector(training.nodeSelector().isEmpty() ? null : training.nodeSelector())
                .withTolerations(tolerations(training))
                .endSpec()
                .build();
    }

    /** The TFJob port, named as the operator looks it up; the other kinds' operators add their own. */
    private static List<ContainerPort> ports(JobKind kind) {
        return kind == JobKind.TFJob ? List.of(new ContainerPortBuilder().withName(TFJOB_PORT_NAME)
                .withContainerPort(TFJOB_PORT).withProtocol("TCP").build()) : null;
    }

    private static List<Toleration> tolerations(KubernetesSettings.Training training) {
        return training.tolerations().stream().map(t -> new TolerationBuilder().withKey(t.key())
                .withOperator(t.operator()).withValue(t.value()).withEffect(t.effect()).build()).toList();
    }

    private static Map<String, Object> runPolicy(KubernetesSettings.Training training) {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("cleanPodPolicy", training.cleanPodPolicy());
        policy.put("ttlSecondsAfterFinished", training.ttlSecondsAfterFinished());
        policy.put("activeDeadlineSeconds", training.activeDeadlineSeconds());
        policy.put("backoffLimit", training.backoffLimit());
        return policy;
    }
}
