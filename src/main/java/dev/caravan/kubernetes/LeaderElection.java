package dev.caravan.kubernetes;

import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import dev.caravan.leader.ElectedLeadership;

/**
 * Camel's Kubernetes cluster service, holding the Lease {@value #LEASE} among the Caravan pods, and the
 * {@code Leadership} it decides: the leader-only routes and the launching of runs follow it.
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

    /** Leadership as the Lease decides it: this replica leads while the view's leader is its local member. */
    static final class LeaseLeadership extends ElectedLeadership {

        LeaseLeadership() {
            super("the Lease " + LEASE);
        }

        /** Follows the verdicts of {@code service}, once Camel knows it. */
        void follow(KubernetesClusterService service) throws Exception {
            service.getView(GROUP).addEventListener((CamelClusterEventListener.Leadership) (view, leader) -> {
                if (leader != null && leader.isLocal()) {
                    granted();
                } else {
                    revoked();
                }
            });
        }

        /** Camel runs the election itself, as one of its services. */
        @Override
        protected void startElection() {
        }

        @Override
        protected void stopElection() {
        }
    }
}
