package dev.caravan.kubernetes;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * With several Caravan replicas in a cluster, the Lease elects the one that leads: it alone starts runs, polls S3
 * for triggers and sweeps TensorBoards ({@code caravan.leader.routes}); another takes over when its pod goes. The
 * cluster service is handed to Camel before it starts its routes. Turned off, the database elects instead.
 */
@Configuration(proxyBeanMethods = false)
@Profile("kubernetes")
@ConditionalOnProperty(prefix = "caravan.kubernetes.leader", name = "enabled", havingValue = "true", matchIfMissing = true)
class LeaderElectionConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LeaderElectionConfiguration.class);

    @Bean
    LeaderElection.LeaseLeadership leaseLeadership() {
        return new LeaderElection.LeaseLeadership();
    }

    @Bean
    CamelContextConfiguration leaderElection(KubernetesClient client, KubernetesSettings settings,
                                             LeaderElection.LeaseLeadership leadership) {
        if (System.getenv("KUBERNETES_SERVICE_HOST") == null) {
            log.warn("Leader election is on, but Caravan does not run in a pod: it leads only while a Running, "
                    + "Ready pod named after this host with labels {} exists in namespace {}; set "
                    + "caravan.kubernetes.leader.enabled=false to elect through the database instead",
                    settings.leader().podLabels(), settings.namespace());
        }
        KubernetesClusterService service = LeaderElection.clusterService(client, settings);
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                try {
                    camel.addService(service);
                    leadership.follow(service);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot start leader election: " + e.getMessage(), e);
                }
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
            }
        };
    }
}
