package dev.caravan.kubernetes;

import dev.caravan.serving.ServingEndpoint;

/**
 * How Caravan reaches a serving Service: by its cluster DNS name when it runs inside the cluster, or through a
 * port-forward when it runs outside. Tests against an API server without pods supply their own.
 */
@FunctionalInterface
public interface ServingAccess {

    ServingEndpoint endpoint(String namespace, String service);
}
