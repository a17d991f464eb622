package dev.caravan.leader;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * True unless the Kubernetes Lease elects the leader: that is, unless the {@code kubernetes} profile is active with
 * {@code caravan.kubernetes.leader.enabled} left on. Caravan run outside a cluster elects through the database.
 */
class DatabaseElects implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        boolean lease = context.getEnvironment().matchesProfiles("kubernetes")
                && context.getEnvironment().getProperty("caravan.kubernetes.leader.enabled", Boolean.class, true);
        return !lease;
    }
}
