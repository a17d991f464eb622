package dev.caravan.kubernetes;

import java.util.Set;

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
 * With several Caravan replicas, one leads: it alone polls S3 for triggers and runs the schedules
 * ({@code caravan.kubernetes.leader.routes}); another takes over when its pod goes. The cluster service and the
 * route policy are handed to Camel before it starts its routes.
 */
@Configuration(proxyBeanMethods = false)
@Profile("kubernetes")
@ConditionalOnProperty(prefix = "caravan.kubernetes.leader", name = "enabled", havingValue = "true", matchIfMissing = true)
class LeaderElectionConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LeaderElectionConfiguration.class);

    @Bean
    CamelContextConfiguration leaderElection(KubernetesClient client, KubernetesSettings settings) {
        if (System.getenv("KUBERNETES_SERVICE_HOST") == null) {
            log.warn("Leader election is on, but Caravan does not run in a pod: routes {} start only while a Running, "
                    + "Ready pod named after this host with labels {} exists in namespace {}; set "
                    + "caravan.kubernetes.leader.enabled=false to run them here", settings.leader().routes(),
                    settings.leader().podLabels(), settings.namespace());
        }
        KubernetesClusterService service = LeaderElection.clusterService(client, settings);
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                try {
                    camel.addService(service);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot start leader election: " + e.getMessage(), e);
                }
                camel.addRoutePolicyFactory(LeaderElection.leaderOnly(service, Set.copyOf(settings.leader().routes())));
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
            }
        };
    }
}
