package dev.caravan.kubernetes;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.readiness.Readiness;

import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.ServingException;

/** The two ways to reach a serving Service that a real cluster offers. */
final class ServingAccesses {

    private ServingAccesses() {
    }

    /** Inside the cluster: the Service's DNS name and its ports. */
    static ServingAccess service() {
        return (namespace, service) -> new ServingEndpoint(service + "." + namespace + ".svc",
                ServingManifests.GRPC_PORT, ServingManifests.REST_PORT);
    }

    /** Outside the cluster: port-forwards to a ready pod of the Service, chosen again at every call. */
    static PortForwards portForward(KubernetesClient client) {
        return new PortForwards(client);
    }

    /**
     * Port-forwards to the newest Ready pod the Service selects, one per port, kept while that pod stays the one to
     * use. A port-forward goes to one pod, never to the Service: after a rollout that pod is gone, so each call looks
     * again and moves the forwards to a pod of the new version.
     */
    static final class PortForwards implements ServingAccess, AutoCloseable {

        private final KubernetesClient client;
        private final Map<String, Forward> open = new ConcurrentHashMap<>();

        PortForwards(KubernetesClient client) {
            this.client = client;
        }

        @Override
        public ServingEndpoint endpoint(String namespace, String service) {
            Forward forward = open.compute(namespace + "/" + service, (key, existing) -> {
                String pod = readyPod(namespace, service);
                if (existing != null && existing.pod().equals(pod) && existing.alive()) {
                    return existing;
                }
                if (existing != null) {
                    existing.close();
                }
                return new Forward(pod, forward(namespace, pod, ServingManifests.GRPC_PORT),
                        forward(namespace, pod, ServingManifests.REST_PORT));
            });
            return new ServingEndpoint("127.0.0.1", forward.grpc().getLocalPort(), forward.rest().getLocalPort());
        }

        private LocalPortForward forward(String namespace, String pod, int port) {
            return client.pods().inNamespace(namespace).withName(pod).portForward(port);
        }

        /** The newest pod the Service selects that is Ready and not terminating. */
        private String readyPod(String namespace, String service) {
            Service found = client.services().inNamespace(namespace).withName(service).get();
            if (found == null || found.getSpec().getSelector() == null) {
                throw new ServingException("Service " + service + " does not exist in namespace " + namespace
                        + "; nothing to port-forward to");
            }
            List<Pod> pods = client.pods().inNamespace(namespace).withLabels(found.getSpec().getSelector()).list()
                    .getItems();
            return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null && Readiness.isPodReady(p))
                    .max(Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp(),
                            Comparator.nullsFirst(Comparator.naturalOrder())))
                    .map(p -> p.getMetadata().getName())
                    .orElseThrow(() -> new ServingException("Service " + service + " in namespace " + namespace
                            + " has no Ready pod to port-forward to; see kubectl -n " + namespace + " get pods -l "
                            + found.getSpec().getSelector().entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(","))));
        }

        @Override
        public void close() {
            open.values().forEach(Forward::close);
            open.clear();
        }
    }

    /** The forwards of one pod's gRPC and REST ports. */
    private record Forward(String pod, LocalPortForward grpc, LocalPortForward rest) {

        boolean alive() {
            return grpc.isAlive() && rest.isAlive();
        }

        void close() {
            for (LocalPortForward forward : List.of(grpc, rest)) {
                try {
                    forward.close();
                } catch (IOException e) {
                    // The pod is gone or Caravan stops: the local port is released either way.
                }
            }
        }
    }
}
