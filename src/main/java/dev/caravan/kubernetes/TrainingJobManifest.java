package dev.caravan.kubernetes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.S3Settings;
import dev.caravan.training.TrainerEnvironment;
import dev.caravan.training.TrainingRequest;

/**
 * The {@code kubeflow.org/v1} training job of a run: named after the run, one replica spec per replica type, each
 * with the trainer container under the name the operator expects and the trainer's environment contract. A built-in
 * trainer runs in Caravan's image ({@code caravan.kubernetes.training.*}), a pipeline's own trainer runs its
 * {@code trainer.command} in its {@code trainer.image}. Trainer pods run as a non-root user (uid 10001) on a read-only
 * root filesystem, with {@code /tmp} as their writable scratch space.
 */
public final class TrainingJobManifest {

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
        checked(request.runName(), training);
        TrainerContainer container = container(request.trainer(), training);
        Map<String, Object> replicaSpecs = new LinkedHashMap<>();
        List<Integer> counts = List.of(training.chief(), training.workers(), training.ps());
        for (int i = 0; i < kind.replicaTypes().size(); i++) {
            if (counts.get(i) > 0) {
                replicaSpecs.put(kind.replicaTypes().get(i), replicaSpec(counts.get(i), podTemplate(request, container)));
            }
        }
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

    /** The image and command line the trainer container runs. */
    private record TrainerContainer(String image, List<String> command, List<String> args) {
    }

    private static TrainerContainer container(PipelineDefinition.Trainer trainer, KubernetesSettings.Training training) {
        if (trainer.isBuiltin()) {
            Names.image("caravan.kubernetes.training.image", training.image());
            return new TrainerContainer(training.image(), training.command(), training.args());
        }
        String image = trainer.imageName().orElseThrow(() -> new IllegalArgumentException("the pipeline's trainer"
                + " command " + trainer.command() + " has no image to run in on Kubernetes; add trainer.image to the"
                + " pipeline file: an image that holds the command and what it needs, e.g."
                + " image: registry.example.com/mnist-trainer:1.0"));
        Names.image("trainer.image", image);
        return new TrainerContainer(image, trainer.command(), List.of());
    }

    private static void checked(String runName, KubernetesSettings.Training training) {
        Names.dnsLabel("run name", runName);
        Names.atLeast("caravan.kubernetes.training.chief", training.chief(), 0);
        Names.atLeast("caravan.kubernetes.training.workers", training.workers(), 0);
        Names.atLeast("caravan.kubernetes.training.ps", training.ps(), 0);
        Names.atLeast("caravan.kubernetes.training.gpu", training.gpu(), 0);
        if (training.chief() > 1) {
            throw new IllegalArgumentException("caravan.kubernetes.training.chief must be 0 or 1, not " + training.chief());
        }
        if (training.chief() + training.workers() == 0) {
            throw new IllegalArgumentException("a training job needs a chief or at least one worker; "
                    + "set caravan.kubernetes.training.chief=1 or workers above 0");
        }
        if (training.kind() != JobKind.TFJob && training.ps() > 0) {
            throw new IllegalArgumentException(training.kind() + " has no parameter servers; set caravan.kubernetes.training.ps=0");
        }
        Names.quantity("caravan.kubernetes.training.cpu", training.cpu());
        Names.quantity("caravan.kubernetes.training.memory", training.memory());
    }

    private Map<String, Object> replicaSpec(int replicas, PodTemplateSpec template) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("replicas", replicas);
        spec.put("restartPolicy", "OnFailure");
        spec.put("template", Serialization.jsonMapper().convertValue(template, Map.class));
        return spec;
    }

    private PodTemplateSpec podTemplate(TrainingRequest request, TrainerContainer container) {
        KubernetesSettings.Training training = settings.training();
        Map<String, Quantity> resources = new LinkedHashMap<>();
        resources.put("cpu", new Quantity(training.cpu()));
        resources.put("memory", new Quantity(training.memory()));
        Map<String, Quantity> limits = new LinkedHashMap<>(resources);
        if (training.gpu() > 0) {
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
