package dev.caravan.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Why a training job's containers ended, in words, from the pods' container statuses (the current or the last
 * state): OOMKilled, a signal (exit code 128+N), or an exit code. The operator's own condition says only that a
 * replica failed.
 */
final class PodTerminations {

    private PodTerminations() {
    }

    /** One sentence per container that ended badly, e.g. "Chief-0 was OOMKilled (exit code 137): ...", or "". */
    static String of(List<Pod> pods) {
        List<String> ended = new ArrayList<>();
        for (Pod pod : pods) {
            Map<String, String> labels = pod.getMetadata().getLabels();
            String operator = KubernetesTrainingBackend.OPERATOR_LABELS;
            String replica = labels.getOrDefault(operator + "replica-type", pod.getMetadata().getName()) + "-"
                    + labels.getOrDefault(operator + "replica-index", "0");
            statuses(pod).map(PodTerminations::terminated).filter(t -> t != null && t.getExitCode() != null
                    && t.getExitCode() != 0).findFirst().ifPresent(t -> ended.add(replica + " " + describe(t)));
        }
        return String.join("; ", ended);
    }

    private static Stream<ContainerStatus> statuses(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? Stream.empty()
                : pod.getStatus().getContainerStatuses().stream();
    }

    private static ContainerStateTerminated terminated(ContainerStatus status) {
        ContainerState now = status.getState();
        if (now != null && now.getTerminated() != null) {
            return now.getTerminated();
        }
        ContainerState last = status.getLastState();
        return last == null ? null : last.getTerminated();
    }

    private static String describe(ContainerStateTerminated ended) {
        int code = ended.getExitCode();
        if ("OOMKilled".equals(ended.getReason())) {
            return "was OOMKilled (exit code " + code + "): it used more memory than its container's limit; raise the"
                    + " trainer's memory limit or give it less work (a smaller batchSize)";
        }
        if (code > 128) {
            return "was killed by signal " + (code - 128) + " (exit code " + code + ")";
        }
        return "exited with code " + code + (ended.getReason() == null ? "" : " (" + ended.getReason() + ")");
    }
}
