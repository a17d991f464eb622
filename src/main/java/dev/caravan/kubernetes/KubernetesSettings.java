package dev.caravan.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** The {@code kubernetes} runtime's settings, bound from {@code caravan.kubernetes.*}. */
@Validated
@ConfigurationProperties("caravan.kubernetes")
public record KubernetesSettings(
        @NotBlank @Pattern(regexp = Names.DNS_1123_LABEL, message = Names.DNS_1123_MESSAGE) String namespace,
        String masterUrl,
        String context,
        @Valid @NotNull S3 s3,
        @Valid @NotNull Training training,
        @Valid @NotNull TensorBoard tensorboard,
        @Valid @NotNull Serving serving,
        @Valid @NotNull Leader leader,
        @Valid @NotNull Api api) {

    /** How pods reach S3: the endpoint as seen inside the cluster, and the Secret holding the credentials. */
    public record S3(String endpoint, @NotBlank String secret, @NotBlank String accessKeyIdKey,
                     @NotBlank String secretAccessKeyKey) {
    }

    /**
     * The training job: its kind, image, replicas, resources, placement and run policy.
     *
     * @param kind            TFJob for the built-in trainer; PyTorchJob and MPIJob run only a pipeline's own trainer
     * @param image           the image a built-in trainer runs in (CPU build of TensorFlow)
     * @param gpuImage        the image a built-in trainer runs in when {@code gpu} is above 0: the same image built
     *                        with {@code ./mvnw -Pgpu} (TensorFlow's {@code linux-x86_64-gpu} native library)
     * @param chief           0 or 1; a built-in trainer always has one, since its chief writes the export
     * @param workers         worker replicas when a run does not give the parameter {@code workers}
     * @param ps              parameter servers when a run gives neither {@code workers} nor {@code ps}
     * @param gpu             {@code nvidia.com/gpu} limit of each replica that computes (not a PS, not a Launcher)
     * @param cleanPodPolicy  which pods the operator deletes once the job has ended: {@code Running} is safe for the
     *                        built-in trainer, whose chief ends the job only after every worker has reported its
     *                        uploads done, so what is still running then is a PS, which writes nothing
     */
    public record Training(@NotNull JobKind kind, @NotBlank String image, @NotBlank String gpuImage,
                           List<String> command, List<String> args,
                           @Min(0) int chief, @Min(0) int workers, @Min(0) int ps,
                           @NotBlank String cpu, @NotBlank String memory, @Min(0) int gpu,
                           Map<String, String> nodeSelector, List<@Valid Toleration> tolerations,
                           @NotBlank @Pattern(regexp = "None|Running|All", message = "must be None, Running or All") String cleanPodPolicy,
                           @Min(0) int ttlSecondsAfterFinished, @Min(1) long activeDeadlineSeconds,
                           @Min(0) int backoffLimit) {

        public Training {
            command = command == null ? List.of() : List.copyOf(command);
            args = args == null ? List.of() : List.copyOf(args);
            nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
            tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        }
    }

    /** A pod toleration, as in a pod spec. */
    public record Toleration(@NotBlank String key, String operator, String value, String effect) {
    }

    /**
     * TensorBoard Deployments: the image (it must read s3://), how long a run's TensorBoard is kept, and its container's
     * requests and limits (quantities, e.g. 500m and 1Gi).
     */
    public record TensorBoard(@NotBlank String image, @NotNull Duration retention, @NotBlank String cpu,
                              @NotBlank String memory) {
    }

    /**
     * TensorFlow Serving: a current image serving from a volume that an init container fills with the one promoted
     * version from S3, so nothing is served before the gate passes it. {@code cpu} and {@code memory} are the server
     * container's requests and limits (quantities, e.g. 1 and 2Gi).
     */
    public record Serving(@NotBlank String image, @NotBlank String loaderImage, @Min(1) @Max(100) int replicas,
                          @NotNull Access access, @NotNull Duration readyTimeout, @NotBlank String cpu,
                          @NotBlank String memory) {
    }

    /** How Caravan reaches the serving Service: by its DNS name inside the cluster, or a port-forward from outside. */
    public enum Access { SERVICE, PORT_FORWARD }

    /**
     * Leader election among Caravan replicas with a {@code coordination.k8s.io} Lease: only the leader starts runs
     * and runs the leader-only routes ({@code caravan.leader.routes}). Members are the Running and Ready pods with
     * {@code podLabels}; {@code podName} is this replica's pod (empty: the host name, which is the pod name in a
     * cluster). Not {@code enabled}: the replicas elect through the database ({@code caravan.leader.*}).
     */
    public record Leader(boolean enabled, String podName, @NotNull Map<String, String> podLabels,
                         @NotNull Duration leaseDuration, @NotNull Duration renewDeadline, @NotNull Duration retryPeriod) {

        public Leader {
            podLabels = podLabels == null ? null : Map.copyOf(podLabels);
        }

        /** Camel's rule: a leader renews well within its lease, retrying often enough to renew before the deadline. */
        @JsonIgnore
        @AssertTrue(message = "must satisfy lease-duration > renew-deadline > 1.2 x retry-period")
        public boolean isTimingConsistent() {
            return leaseDuration == null || renewDeadline == null || retryPeriod == null
                    || (leaseDuration.compareTo(renewDeadline) > 0
                    && renewDeadline.toMillis() > LeaderElection.JITTER * retryPeriod.toMillis()
                    && !retryPeriod.isNegative() && !retryPeriod.isZero());
        }
    }

    /** Retries of failed Kubernetes API calls. */
    public record Api(@Min(1) int attempts, @NotNull Duration backoff) {
    }
}
