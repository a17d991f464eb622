package dev.caravan.kubernetes;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;

import dev.caravan.serving.ServingEndpoint;

/** The two ways to reach a serving Service that a real cluster offers. */
final class ServingAccesses {

    private ServingAccesses() {
    }

    /** Inside the cluster: the Service's DNS name and its ports. */
    static ServingAccess service() {
        return (namespace, service) -> new ServingEndpoint(service + "." + namespace + ".svc",
                ServingManifests.GRPC_PORT, ServingManifests.REST_PORT);
    }

    /** Outside the cluster: a port-forward to the Service per port, opened once and kept until Caravan stops. */
    static PortForwards portForward(KubernetesClient client) {
        return new PortForwards(client);
    }

    static final class PortForwards implements ServingAccess, AutoCloseable {

        private final KubernetesClient client;
        private final Map<String, LocalPortForward> open = new ConcurrentHashMap<>();

        PortForwards(KubernetesClient client) {
            this.client = client;
        }

        @Override
        public ServingEndpoint endpoint(String namespace, String service) {
            LocalPortForward grpc = forward(namespace, service, ServingManifests.GRPC_PORT);
            LocalPortForward rest = forward(namespace, service, ServingManifests.REST_PORT);
            return new ServingEndpoint("127.0.0.1", grpc.getLocalPort(), rest.getLocalPort());
        }

        private LocalPortForward forward(String namespace, String service, int port) {
            return open.compute(namespace + "/" + service + ":" + port, (key, existing) ->
                    existing != null && existing.isAlive() ? existing
                            : client.services().inNamespace(namespace).withName(service).portForward(port));
        }

        @Override
        public void close() {
            open.values().forEach(forward -> {
                try {
                    forward.close();
                } catch (java.io.IOException e) {
                    // Closing at shutdown: the port is released with the process either way.
                }
            });
        }
    }
}
