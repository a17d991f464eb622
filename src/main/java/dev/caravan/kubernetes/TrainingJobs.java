package dev.caravan.kubernetes;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** Reads what the training operator reports on a job: its {@code Succeeded} and {@code Failed} conditions. */
public final class TrainingJobs {

    private TrainingJobs() {
    }

    public static ResourceDefinitionContext context(JobKind kind) {
        return new ResourceDefinitionContext.Builder().withGroup(JobKind.GROUP).withVersion(JobKind.VERSION)
                .withKind(kind.name()).withPlural(kind.plural()).withNamespaced(true).build();
    }

    /** The first true terminal condition ({@code Succeeded} or {@code Failed}), if the job has finished. */
    public static Optional<Condition> outcome(GenericKubernetesResource job) {
        return conditions(job).stream()
                .filter(c -> "True".equals(c.status()) && ("Succeeded".equals(c.type()) || "Failed".equals(c.type())))
                .findFirst();
    }

    @SuppressWarnings("unchecked")
    static List<Condition> conditions(GenericKubernetesResource job) {
        Object status = job.getAdditionalProperties().get("status");
        if (!(status instanceof Map<?, ?> map) || !(map.get("conditions") instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().filter(Map.class::isInstance).map(c -> (Map<String, Object>) c)
                .map(c -> new Condition(str(c.get("type")), str(c.get("status")), str(c.get("reason")), str(c.get("message"))))
                .toList();
    }

    private static String str(Object value) {
        return value == null ? "" : value.toString();
    }

    /** One entry of a job's {@code status.conditions}. */
    public record Condition(String type, String status, String reason, String message) {

        public boolean succeeded() {
            return "Succeeded".equals(type);
        }
    }
}
