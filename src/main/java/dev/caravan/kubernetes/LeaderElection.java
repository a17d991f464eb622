package dev.caravan.kubernetes;

import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.CamelContextHelper;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * Camel's Kubernetes cluster service, holding the Lease {@value #LEASE} among the Caravan pods, and the route policy
 * that runs the leader-only routes on the holder alone: they start when this replica becomes the leader and stop
 * when it stops being it.
 */
final class LeaderElection {

    /** Camel's jitter factor on the retry period, as its own default. */
    static final double JITTER = 1.2;
    static final String RESOURCE = "caravan";
    /** The Camel cluster namespace; Camel names the Lease after it. */
    static final String GROUP = "leader";
    static final String LEASE = RESOURCE + "-" + GROUP;

    private LeaderElection() {
    }

    static KubernetesClusterService clusterService(KubernetesClient client, KubernetesSettings settings) {
        KubernetesSettings.Leader leader = settings.leader();
        KubernetesConfiguration configuration = new KubernetesConfiguration();
        // Camel closes its client when the cluster view stops: it gets its own, made from Caravan's configuration.
        configuration.setKubernetesClient(new KubernetesClientBuilder().withConfig(client.getConfiguration()).build());
        KubernetesClusterService service = new KubernetesClusterService(configuration);
        service.setId("caravan-leader-election");
        service.setLeaseResourceType(LeaseResourceType.Lease);
        service.setKubernetesResourcesNamespace(settings.namespace());
        service.setKubernetesResourceName(RESOURCE);
        if (leader.podName() != null && !leader.podName().isBlank()) {
            service.setPodName(leader.podName());
        }
        service.setClusterLabels(leader.podLabels());
        service.setJitterFactor(JITTER);
        service.setLeaseDurationMillis(leader.leaseDuration().toMillis());
        service.setRenewDeadlineMillis(leader.renewDeadline().toMillis());
        service.setRetryPeriodMillis(leader.retryPeriod().toMillis());
        return service;
    }

    /** Puts the named routes under the leader's policy; routes configured not to start are left alone. */
    static RoutePolicyFactory leaderOnly(CamelClusterService service, Set<String> routeIds) {
        return new RoutePolicyFactory() {
            @Override
            public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
                if (!leaderOnly(routeIds, routeId) || !autoStartup(context, route)) {
                    return null;
                }
                try {
                    ClusteredRoutePolicy policy = ClusteredRoutePolicy.forNamespace(service, GROUP);
                    policy.setCamelContext(context);
                    return policy;
                } catch (Exception e) {
                    throw new IllegalStateException("cannot put route " + routeId + " under leader election: "
                            + e.getMessage(), e);
                }
            }
        };
    }

    /** A route named in the list, or made from a template named there for one pipeline ({@code <template>-<pipeline>}). */
    private static boolean leaderOnly(Set<String> routeIds, String routeId) {
        return routeIds.stream().anyMatch(id -> routeId.equals(id) || routeId.startsWith(id + "-"));
    }

    private static boolean autoStartup(CamelContext context, NamedNode route) {
        if (!(route instanceof RouteDefinition definition) || definition.getAutoStartup() == null) {
            return true;
        }
        try {
            Boolean value = CamelContextHelper.parseBoolean(context, definition.getAutoStartup());
            return value == null || value;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the autoStartup of route " + definition.getRouteId() + ": "
                    + e.getMessage(), e);
        }
    }
}
