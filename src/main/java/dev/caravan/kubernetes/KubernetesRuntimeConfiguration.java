package dev.caravan.kubernetes;

import java.time.Clock;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import dev.caravan.serving.ServingBackend;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Settings;
import dev.caravan.training.TrainingBackend;

/**
 * The {@code kubernetes} runtime: training as a TFJob, TensorBoard and TensorFlow Serving as Deployments, all
 * through one fabric8 client that uses the pod's service account inside a cluster, or a kubeconfig outside.
 */
@Configuration(proxyBeanMethods = false)
@Profile("kubernetes")
class KubernetesRuntimeConfiguration {

    static final String JANITOR_ROUTE = "tensorboard-janitor";

    @Bean(destroyMethod = "close")
    KubernetesClient kubernetesClient(KubernetesSettings settings) {
        return new KubernetesClientBuilder().withConfig(clientConfig(settings)).build();
    }

    static Config clientConfig(KubernetesSettings settings) {
        Config config = blank(settings.context()) ? Config.autoConfigure(null) : Config.autoConfigure(settings.context());
        ConfigBuilder builder = new ConfigBuilder(config).withNamespace(settings.namespace());
        if (!blank(settings.masterUrl())) {
            builder.withMasterUrl(settings.masterUrl());
        }
        return builder.build();
    }

    @Bean
    KubernetesApi kubernetesApi(KubernetesClient client, KubernetesSettings settings) {
        return new KubernetesApi(client, settings);
    }

    @Bean
    TrainingBackend trainingBackend(KubernetesApi api, KubernetesSettings settings, S3Settings s3, ObjectStore store) {
        return new KubernetesTrainingBackend(api, new TrainingJobManifest(settings, s3), settings.training().kind(), store);
    }

    @Bean
    ServingAccess servingAccess(KubernetesSettings settings, KubernetesClient client) {
        return settings.serving().access() == KubernetesSettings.Access.SERVICE ? ServingAccesses.service()
                : ServingAccesses.portForward(client);
    }

    @Bean
    ServingBackend servingBackend(KubernetesApi api, KubernetesSettings settings, S3Settings s3, ServingAccess access) {
        return new KubernetesServingBackend(api, new ServingManifests(settings, s3), access,
                settings.serving().readyTimeout());
    }

    @Bean
    KubernetesTensorBoard tensorBoardBackend(KubernetesApi api, KubernetesSettings settings, S3Settings s3) {
        return new KubernetesTensorBoard(api, new TensorBoardManifests(settings, s3), Clock.systemUTC());
    }

    /**
     * Sweeps TensorBoards past their retention every ten minutes, on the leader only (it is one of
     * {@code caravan.leader.routes}). A Camel timer, not an executor bean: any {@code Executor} bean
     * stands in for Boot's task executor, which the platform-http engine needs to start.
     */
    @Bean
    RouteBuilder tensorBoardJanitor(KubernetesTensorBoard tensorBoard) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:" + JANITOR_ROUTE + "?delay=60000&period=600000").routeId(JANITOR_ROUTE)
                        .routeConfigurationId("caravan-errors")
                        .process(exchange -> exchange.getMessage().setBody(tensorBoard.removeExpired()));
            }
        };
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
