package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;

import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.ServingException;

/**
 * Port-forward mode on the mock API server: the forwards go to a Ready pod of the serving Service, and after a rollout
 * replaced that pod, to a pod of the new version, so the smoke test and {@code predict} reach the promoted model.
 */
@EnableKubernetesMockClient(crud = true)
class ServingAccessesTest {

    private static final String NS = KubernetesFixtures.NAMESPACE;
    private static final String MODEL = "pf-rollout";

    static KubernetesClient client;
    static KubernetesMockServer server;

    private ServingAccesses.PortForwards forwards;

    @BeforeEach
    void setUp() {
        KubernetesSettings settings = KubernetesFixtures.settings();
        client.services().inNamespace(NS).resource(new ServingManifests(settings, KubernetesFixtures.s3()).service(MODEL))
                .create();
        forwards = ServingAccesses.portForward(client);
    }

    @AfterEach
    void tearDown() {
        forwards.close();
        client.pods().inNamespace(NS).delete();
        client.services().inNamespace(NS).delete();
    }

    @Test
    void afterARolloutTheForwardsGoToAPodOfTheNewVersion() throws Exception {
        // given version 1 served by one Ready pod
        pod("tf-serving-pf-rollout-v1", 1, true, "2026-03-01T10:00:00Z");
        ServingEndpoint before = endpoint();
        assertThat(connect(before.restPort())).endsWith("/pods/tf-serving-pf-rollout-v1/portforward?ports=8501");

        // when version 2 rolls out: its pod gets Ready, the pod of version 1 goes
        pod("tf-serving-pf-rollout-v2", 2, false, "2026-03-01T11:00:00Z");
        assertThat(endpoint()).as("a pod that is not Ready yet gets no traffic").isEqualTo(before);
        pod("tf-serving-pf-rollout-v2", 2, true, "2026-03-01T11:00:00Z");
        client.pods().inNamespace(NS).withName("tf-serving-pf-rollout-v1").delete();
        ServingEndpoint after = endpoint();

        // then both ports forward to the new pod
        assertThat(after).isNotEqualTo(before);
        assertThat(connect(after.restPort())).endsWith("/pods/tf-serving-pf-rollout-v2/portforward?ports=8501");
        assertThat(connect(after.grpcPort())).endsWith("/pods/tf-serving-pf-rollout-v2/portforward?ports=8500");
        assertThat(endpoint()).as("the forwards are kept while their pod stays the one to use").isEqualTo(after);
    }

    @Test
    void aServiceWithoutAReadyPodIsAnErrorThatSaysWhereToLook() {
        pod("tf-serving-pf-rollout-v1", 1, false, "2026-03-01T10:00:00Z");

        assertThatThrownBy(this::endpoint).isInstanceOf(ServingException.class)
                .hasMessageContaining("Service tf-serving-pf-rollout in namespace caravan-test has no Ready pod")
                .hasMessageContaining("kubectl -n caravan-test get pods -l ");
    }

    private ServingEndpoint endpoint() {
        return forwards.endpoint(NS, ServingManifests.name(MODEL));
    }

    private void pod(String name, long version, boolean ready, String created) {
        client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName(name).withCreationTimestamp(created)
                .withLabels(ServingManifests.labels(MODEL))
                .addToAnnotations(Names.MODEL_VERSION, Long.toString(version)).endMetadata()
                .withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build()).createOr(op -> op.update());
    }

    /** Opens a connection to the local port and returns the API path the forward asked for to carry it. */
    private static String connect(int localPort) throws Exception {
        drain();
        try (Socket socket = new Socket("127.0.0.1", localPort); OutputStream out = socket.getOutputStream()) {
            out.write("GET /v1/models/pf-rollout HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            List<String> paths = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                RecordedRequest request = server.takeRequest(100, TimeUnit.MILLISECONDS);
                if (request != null) {
                    paths.add(request.getPath());
                }
                return paths.stream().anyMatch(p -> p.contains("/portforward"));
            });
            return paths.stream().filter(p -> p.contains("/portforward")).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new AssertionError("cannot connect to the forwarded port " + localPort, e);
        }
    }

    private static void drain() throws InterruptedException {
        while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
            // requests made before this connection
        }
    }
}
