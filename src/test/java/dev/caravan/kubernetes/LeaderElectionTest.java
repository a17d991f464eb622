package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.util.FileSystemUtils;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.kubernetes.testutil.MockCluster;
import dev.caravan.leader.LeaderConfiguration;
import dev.caravan.testutil.CaravanTestProperties;

/**
 * Two Caravan replicas on the mock API server: Caravan's leader election wiring and settings (from
 * {@code config/application.yaml}) in two Spring and Camel contexts, each with routes named as the real ones. Only
 * the Lease holder runs the leader-only routes; when it goes, the other takes over.
 */
class LeaderElectionTest {

    private static final String NS = KubernetesFixtures.NAMESPACE;

    private MockCluster cluster;
    private Path home;
    private Replica a;
    private Replica b;

    @BeforeEach
    void startCluster() {
        cluster = MockCluster.start().caravanPod(NS, "caravan-a").caravanPod(NS, "caravan-b");
        home = CaravanTestProperties.newHome();
    }

    @AfterEach
    void stop() {
        for (Replica replica : new Replica[] {a, b}) {
            if (replica != null) {
                replica.close();
            }
        }
        cluster.close();
        FileSystemUtils.deleteRecursively(home.toFile());
    }

    @Test
    void onlyTheLeaderRunsTheTriggerRoutesAndAnotherReplicaTakesOverWhenItGoes() {
        // given: two replicas, the first one started leads
        a = Replica.start("caravan-a", cluster, home);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.status("retrain-on-marker") == ServiceStatus.Started);
        b = Replica.start("caravan-b", cluster, home);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.status("retrain-requests") == ServiceStatus.Started);

        // then: the trigger and the schedule run on the leader only; other routes everywhere
        await().atMost(Duration.ofSeconds(5)).until(() -> a.polls.get() > 2);
        assertThat(b.status("retrain-on-marker")).isEqualTo(ServiceStatus.Stopped);
        assertThat(b.status("tensorboard-janitor")).isEqualTo(ServiceStatus.Stopped);
        assertThat(b.polls).hasValue(0);
        assertThat(a.status("tensorboard-janitor")).isEqualTo(ServiceStatus.Started);
        assertThat(holder()).isEqualTo("caravan-a");
        // a route configured not to start stays stopped on the leader too
        assertThat(a.status("retrain-on-quiet-prefix")).isEqualTo(ServiceStatus.Stopped);

        // when: the leader stops and its pod is gone
        a.close();
        a = null;
        cluster.deletePod(NS, "caravan-a");

        // then: the other replica takes the Lease and starts the routes
        await().atMost(Duration.ofSeconds(15)).until(() -> b.status("retrain-on-marker") == ServiceStatus.Started);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.polls.get() > 0);
        assertThat(b.status("tensorboard-janitor")).isEqualTo(ServiceStatus.Started);
        assertThat(holder()).isEqualTo("caravan-b");
    }

    @Test
    void leaseTimingsThatCannotRenewInTimeAreRefusedAtStart() {
        assertThatThrownBy(() -> RunManifests.forEnvironment("dev", List.of("caravan.kubernetes.leader.retry-period=20s")))
                .hasStackTraceContaining("caravan.kubernetes.leader")
                .hasStackTraceContaining("must satisfy lease-duration > renew-deadline > 1.2 x retry-period");
    }

    private String holder() {
        return cluster.client().leases().inNamespace(NS).withName("caravan-leader").get().getSpec().getHolderIdentity();
    }

    /** One replica: Camel with Caravan's leader election, and stand-ins for its routes under their real ids. */
    private static final class Replica implements AutoCloseable {

        private final ConfigurableApplicationContext context;
        private final AtomicInteger polls;

        private Replica(ConfigurableApplicationContext context) {
            this.context = context;
            this.polls = context.getBean("polls", AtomicInteger.class);
        }

        static Replica start(String pod, MockCluster cluster, Path home) {
            return new Replica(new SpringApplicationBuilder(Routes.class).web(WebApplicationType.NONE)
                    .profiles("kubernetes")
                    .run("--caravan.home=" + home.resolve(pod), "--logging.file.name=" + home.resolve(pod + ".log"),
                            "--camel.main.routes-include-pattern=classpath:no-routes/*.yaml",
                            "--caravan.kubernetes.master-url=" + cluster.masterUrl(),
                            "--caravan.kubernetes.namespace=" + NS,
                            "--caravan.kubernetes.leader.pod-name=" + pod,
                            "--caravan.kubernetes.leader.lease-duration=1s",
                            "--caravan.kubernetes.leader.renew-deadline=800ms",
                            "--caravan.kubernetes.leader.retry-period=200ms"));
        }

        ServiceStatus status(String routeId) {
            return context.getBean(CamelContext.class).getRouteController().getRouteStatus(routeId);
        }

        @Override
        public void close() {
            context.close();
        }
    }

    /** A replica's source; not a {@code @Configuration}, so that no component scan of the app ever picks it up. */
    @ImportAutoConfiguration(CamelAutoConfiguration.class)
    @EnableConfigurationProperties(KubernetesSettings.class)
    @Import({LeaderElectionConfiguration.class, LeaderConfiguration.class})
    static class Routes {

        @Bean(destroyMethod = "close")
        KubernetesClient kubernetesClient(KubernetesSettings settings) {
            return new KubernetesClientBuilder().withConfig(KubernetesRuntimeConfiguration.clientConfig(settings)).build();
        }

        @Bean
        AtomicInteger polls() {
            return new AtomicInteger();
        }

        @Bean
        RouteBuilder standIns(AtomicInteger polls) {
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("timer:marker?period=100").routeId("retrain-on-marker").process(e -> polls.incrementAndGet());
                    from("timer:quiet?period=100").routeId("retrain-on-quiet-prefix")
                            .autoStartup("{{caravan.test.quiet-period-enabled:false}}").log("quiet");
                    from("timer:janitor?period=60000").routeId("tensorboard-janitor").log("sweep");
                    from("direct:caravan-retrain").routeId("retrain-requests").log("request");
                }
            };
        }
    }
}
