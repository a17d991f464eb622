package dev.caravan.kubernetes.testutil;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;
import org.springframework.beans.factory.support.BeanDefinitionBuilder;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.caravan.CaravanApplication;
import dev.caravan.kubernetes.ServingAccess;
import dev.caravan.leader.Leadership;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.S3Settings;

/**
 * A whole Caravan in the {@code kubernetes} profile against a {@link MockCluster}: its own client configuration
 * pointed at the mock by {@code caravan.kubernetes.master-url}, an S3 service of the test's (as a cluster's MinIO,
 * it outlives Caravan's restarts), quick leader election, and the serving Service reached through {@code access}.
 */
public final class KubernetesCaravan implements AutoCloseable {

    public static final String ACCESS_KEY_ID = "AKIDTEST";
    public static final String SECRET_ACCESS_KEY = "SECRETTEST";
    public static final String POD = "caravan-0";

    private final ConfigurableApplicationContext context;

    private KubernetesCaravan(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** Starts Caravan on {@code home} with the S3 service {@code s3}; {@code properties} override the test settings. */
    public static KubernetesCaravan start(Path home, S3Settings s3, MockCluster cluster, ServingAccess access,
                                          String... properties) {
        List<String> args = new ArrayList<>(List.of("--caravan.home=" + home, "--server.port=0",
                "--caravan.s3.endpoint=" + s3.endpoint(), "--caravan.s3.access-key-id=" + s3.accessKeyId(),
                "--caravan.s3.secret-access-key=" + s3.secretAccessKey(),
                "--caravan.trigger.poll-interval=200ms", "--caravan.pipelines.mnist.trainer.parameters.trainSteps=150",
                "--caravan.pipelines.mnist.trainer.parameters.batchSize=50", "--caravan.pipelines.mnist.trainer.timeout=5m",
                "--caravan.kubernetes.master-url=" + cluster.masterUrl(),
                "--caravan.kubernetes.namespace=" + KubernetesFixtures.NAMESPACE,
                "--caravan.kubernetes.s3.endpoint=", "--caravan.kubernetes.api.backoff=20ms",
                "--caravan.kubernetes.serving.ready-timeout=30s",
                // One process per run unless a test asks for a cluster: the mock cluster's pods share two cores.
                "--caravan.kubernetes.training.workers=0", "--caravan.kubernetes.training.ps=0",
                "--caravan.kubernetes.leader.pod-name=" + POD, "--caravan.kubernetes.leader.lease-duration=4s",
                "--caravan.kubernetes.leader.renew-deadline=3s", "--caravan.kubernetes.leader.retry-period=200ms",
                "--logging.file.name=" + home.resolve("logs/caravan.log")));
        args.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(CaravanApplication.class)
                .profiles("kubernetes")
                .initializers(c -> ((BeanDefinitionRegistry) c.getBeanFactory()).registerBeanDefinition("testServingAccess",
                        BeanDefinitionBuilder.genericBeanDefinition(ServingAccess.class, () -> access).setPrimary(true)
                                .getBeanDefinition()))
                .run(args.toArray(String[]::new));
        // Only the leader starts runs, and a new leader takes over every run still going: tests launch once it leads.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> context.getBean(Leadership.class).isLeader());
        return new KubernetesCaravan(context);
    }

    /** An S3 server for Caravan and its pods, with the credentials the mock cluster's S3 Secret holds. */
    public static EmbeddedS3 startS3(Path dir) {
        return EmbeddedS3.start(dir, "127.0.0.1", 0, ACCESS_KEY_ID, SECRET_ACCESS_KEY);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
