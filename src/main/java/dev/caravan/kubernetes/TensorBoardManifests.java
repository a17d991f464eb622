package dev.caravan.kubernetes;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;

/** A run's TensorBoard: a Deployment {@code tensorboard-<run>} reading the run's event files in S3, and its Service. */
public final class TensorBoardManifests {

    static final int PORT = 6006;

    private final KubernetesSettings settings;
    private final S3Settings s3;

    public TensorBoardManifests(KubernetesSettings settings, S3Settings s3) {
        this.settings = settings;
        this.s3 = s3;
    }

    public static String name(String runName) {
        return "tensorboard-" + runName;
    }

    public Deployment deployment(String runName, S3Location logDir, Instant now) {
        Names.dnsLabel("run name", runName);
        Names.image("caravan.kubernetes.tensorboard.image", settings.tensorboard().image());
        Map<String, String> labels = labels(runName);
        return new DeploymentBuilder()
                .withNewMetadata().withName(name(runName)).withNamespace(settings.namespace()).withLabels(labels)
                .addToAnnotations(Names.RETAIN_UNTIL, now.plus(settings.tensorboard().retention()).toString())
                .endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().addToMatchLabels("app", name(runName)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().withSecurityContext(PodSecurity.pod()).withAutomountServiceAccountToken(false).addNewContainer()
                .withName("tensorboard").withImage(settings.tensorboard().image())
                .withCommand("tensorboard").withArgs("--logdir", logDir.asPrefix().uri(), "--bind_all", "--port", Integer.toString(PORT))
                .addNewPort().withName("http").withContainerPort(PORT).endPort()
                .withEnv(PodEnvironment.s3(s3, settings.s3())).addToEnv(new EnvVar("HOME", PodSecurity.TMP_PATH, null))
                .withNewReadinessProbe().withNewHttpGet().withPath("/").withPort(new IntOrString(PORT)).endHttpGet()
                .withPeriodSeconds(10).endReadinessProbe()
                .withNewLivenessProbe().withNewTcpSocket().withPort(new IntOrString(PORT)).endTcpSocket()
                .withInitialDelaySeconds(30).withPeriodSeconds(20).endLivenessProbe()
                .withResources(PodSecurity.resources(settings.tensorboard().cpu(), settings.tensorboard().memory()))
                .withSecurityContext(PodSecurity.container()).addToVolumeMounts(PodSecurity.tmpMount())
                .endContainer().addToVolumes(PodSecurity.tmpVolume("1Gi")).endSpec().endTemplate()
                .endSpec().build();
    }

    public Service service(String runName) {
        return new ServiceBuilder()
                .withNewMetadata().withName(name(runName)).withNamespace(settings.namespace()).withLabels(labels(runName))
                .endMetadata()
                .withNewSpec().withSelector(Map.of("app", name(runName)))
                .withPorts(List.of(new io.fabric8.kubernetes.api.model.ServicePortBuilder().withName("http").withPort(80)
                        .withTargetPort(new IntOrString(PORT)).build()))
                .endSpec().build();
    }

    static Map<String, String> labels(String runName) {
        Map<String, String> labels = Names.labels("tensorboard", runName, "tensorboard");
        labels.put(Names.RUN, runName);
        labels.put("app", name(runName));
        return labels;
    }
}
