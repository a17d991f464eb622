package dev.caravan.kubernetes.testutil;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

/**
 * A fabric8 mock API server in CRUD mode, over plain HTTP so that Caravan's own client configuration
 * ({@code caravan.kubernetes.master-url}) reaches it, with the objects a cluster admin creates before Caravan runs.
 */
public final class MockCluster implements AutoCloseable {

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private MockCluster(KubernetesMockServer server) {
        this.server = server;
        this.client = server.createClient();
    }

    public static MockCluster start() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init();
        return new MockCluster(server);
    }

    public String masterUrl() {
        return client.getMasterUrl().toString();
    }

    /** A client for the test's own view of the cluster (operators, assertions). */
    public KubernetesClient client() {
        return client;
    }

    /** The S3 Secret with the keys Caravan's settings name, as {@code k8s/base/s3-secret.template.yaml} makes it. */
    public MockCluster s3Secret(String namespace, String accessKeyId, String secretAccessKey) {
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName("caravan-s3")
                .endMetadata().addToStringData("awsAccessKeyID", accessKeyId)
                .addToStringData("awsSecretAccessKey", secretAccessKey).build()).create();
        return this;
    }

    /** A Running and Ready Caravan pod, as the Deployment in {@code k8s/base} makes them: a leader election member. */
    public MockCluster caravanPod(String namespace, String name) {
        client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(name).withLabels(Map.of("app.kubernetes.io/name", "caravan")).endMetadata()
                .withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build()).create();
        return this;
    }

    /** What Kubernetes does when a pod terminates: it is gone from the members. */
    public void deletePod(String namespace, String name) {
        client.pods().inNamespace(namespace).withName(name).delete();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
