package dev.caravan.kubernetes;

import java.util.Map;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * What every pod Caravan creates runs with, as the Kubernetes "restricted" Pod Security Standard asks: a non-root
 * user, no privilege escalation, no capabilities, the runtime's seccomp profile and a read-only root filesystem,
 * with an emptyDir at {@code /tmp} as the one writable path (also {@code HOME}). Every container has requests and
 * limits. None of these pods calls the Kubernetes API, so none gets a service account token.
 */
final class PodSecurity {

    /** A user id that is not root; the Caravan image's own user (Dockerfile), which other images run as too. */
    static final long USER = 10001;
    static final String TMP = "tmp";
    static final String TMP_PATH = "/tmp";

    private PodSecurity() {
    }

    static PodSecurityContext pod() {
        return new PodSecurityContextBuilder().withRunAsNonRoot(true).withRunAsUser(USER).withRunAsGroup(USER)
                .withFsGroup(USER).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
    }

    static SecurityContext container() {
        return new SecurityContextBuilder().withRunAsNonRoot(true).withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true).withNewCapabilities().addToDrop("ALL").endCapabilities().build();
    }

    /** The pod's writable scratch space at {@code /tmp}, at most {@code sizeLimit} (a quantity, e.g. 1Gi). */
    static Volume tmpVolume(String sizeLimit) {
        return new VolumeBuilder().withName(TMP).withNewEmptyDir().withSizeLimit(new Quantity(sizeLimit)).endEmptyDir()
                .build();
    }

    static VolumeMount tmpMount() {
        return new VolumeMountBuilder().withName(TMP).withMountPath(TMP_PATH).build();
    }

    /** Requests and limits of {@code cpu} and {@code memory} (quantities), the same: the pod is never overcommitted. */
    static ResourceRequirements resources(String cpu, String memory) {
        Map<String, Quantity> amounts = Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory));
        return new ResourceRequirementsBuilder().withRequests(amounts).withLimits(amounts).build();
    }
}
