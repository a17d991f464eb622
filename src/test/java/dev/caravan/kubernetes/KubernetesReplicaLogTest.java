package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.training.TrainingException;

/** {@code caravan logs RUN --replica worker-1} on Kubernetes: the pod the training operator labels as that replica. */
@EnableKubernetesMockClient(crud = true)
class KubernetesReplicaLogTest {

    private static final String NS = KubernetesFixtures.NAMESPACE;
    private static final String RUN = "mnist-llllllllll";

    static KubernetesClient client;
    static KubernetesMockServer server;

    private KubernetesTrainingBackend backend;

    @BeforeEach
    void podsOfAChiefTwoWorkersAndAPs() {
        pod("chief", 0);
        pod("worker", 0);
        pod("worker", 1);
        pod("ps", 0);
        KubernetesSettings settings = KubernetesFixtures.settings();
        backend = new KubernetesTrainingBackend(new KubernetesApi(client, settings),
                new TrainingJobManifest(settings, KubernetesFixtures.s3()), JobKind.TFJob, null);
    }

    @Test
    void aReplicaIsPickedByItsTypeAndIndexLabels() throws Exception {
        assertThat(log("worker-1")).isEqualTo("log of worker 1\n");
        assertThat(log("ps-0")).isEqualTo("log of ps 0\n");
    }

    @Test
    void noReplicaOrTheChiefIsTheCoordinatorsLogAsBefore() throws Exception {
        assertThat(log(null)).isEqualTo("log of chief 0\n");
        assertThat(log("chief")).isEqualTo("log of chief 0\n");
    }

    @Test
    void aReplicaWithoutAPodIsRefusedListingTheReplicasThatHaveOne() {
        assertThatThrownBy(() -> log("worker-5")).isInstanceOf(TrainingException.class)
                .hasMessage("run " + RUN + " has no pod of replica 'worker-5' in namespace " + NS
                        + "; its pods are the replicas [chief-0, ps-0, worker-0, worker-1]");
    }

    private String log(String replica) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        backend.copyLog(RUN, replica, out, () -> false);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void pod(String type, int index) {
        String name = RUN + "-" + type + "-" + index;
        if (client.pods().inNamespace(NS).withName(name).get() == null) {
            client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name)
                    .addToLabels("training.kubeflow.org/job-name", RUN)
                    .addToLabels("training.kubeflow.org/replica-type", type)
                    .addToLabels("training.kubeflow.org/replica-index", Integer.toString(index)).endMetadata()
                    .build()).create();
        }
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "/log?pretty=false&container=tensorflow")
                .andReturn(200, "log of " + type + " " + index + "\n").always();
    }
}
