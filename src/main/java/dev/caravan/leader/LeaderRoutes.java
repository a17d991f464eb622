package dev.caravan.leader;

import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.CamelContextHelper;

/**
 * The route policy that runs the leader-only routes ({@code caravan.leader.routes}) on the leader alone: Camel's
 * {@link ClusteredRoutePolicy} on the {@link LeadershipClusterService}, so they start when this replica becomes the
 * leader and stop when it stops being it.
 */
final class LeaderRoutes {

    /** The Camel cluster namespace of the leader-only routes. */
    static final String GROUP = "leader";

    private LeaderRoutes() {
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
