package dev.caravan.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;

import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.kubernetes.testutil.TrainingOperator;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.storage.S3Location;

/**
 * {@code k8s/base/role.yaml} rule by rule against what Caravan's code asks of the API server: every code path that
 * runs in the cluster (training, a run's log, stopping a run, serving, TensorBoard and its sweep, leader election)
 * runs against the mock API server, each request it serves is read as the (API group, resource, verb, name) that
 * Kubernetes authorizes, and then every request must be allowed by a rule, and every verb of every rule must be used.
 */
@EnableKubernetesMockClient(crud = true)
class RoleRulesTest {

    private static final String NS = KubernetesFixtures.NAMESPACE;
    private static final String AGENT = "caravan-under-test";
    private static final Pattern RESOURCE_PATH = Pattern.compile(
            "/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/[^/]+/([^/]+)(?:/([^/]+))?(?:/([^/]+))?");

    static KubernetesClient client;
    static KubernetesMockServer server;

    private static final Set<Call> calls = new LinkedHashSet<>();
    private static List<PolicyRule> rules;

    /** One request as the API server's authorizer sees it; {@code name} is null for a collection. */
    record Call(String group, String resource, String verb, String name) {

        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + (name == null ? "" : " " + name);
        }
    }

    @BeforeAll
    static void runWhatCaravanDoesInTheCluster() throws Exception {
        rules = role().getRules();
        KubernetesSettings settings = KubernetesFixtures.settings();
        KubernetesFixtures.createS3Secret(client);
        try (KubernetesClient caravan = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(AGENT).build()).build()) {
            KubernetesApi api = new KubernetesApi(caravan, settings);
            train(api, settings);
            serve(api, settings);
            tensorBoard(api, settings);
            leaderElection(caravan, settings);
        }
        for (RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS); request != null;
             request = server.takeRequest(200, TimeUnit.MILLISECONDS)) {
            if (AGENT.equals(request.getHeader("User-Agent"))) {
                calls.add(call(request));
            }
        }
    }

    @Test
    void everyCallCaravanMakesIsAllowedByTheRole() {
        assertThat(calls).as("the calls Caravan made").isNotEmpty();
        assertThat(calls).allSatisfy(call -> assertThat(rules.stream().anyMatch(rule -> allows(rule, call)))
                .as("a rule of k8s/base/role.yaml allows " + call).isTrue());
    }

    @Test
    void everyRuleOfTheRoleIsUsed() {
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        assertThat(calls).as("a call that needs " + verb + " on " + resource + " in group '" + group
                                        + "' (k8s/base/role.yaml); calls made: " + calls)
                                .anyMatch(c -> c.group().equals(group) && c.resource().equals(resource)
                                        && c.verb().equals(verb) && allows(rule, c));
                    }
                }
            }
        }
    }

    private static void train(KubernetesApi api, KubernetesSettings settings) throws Exception {
        String run = "rbac-aaaaaaaaaa";
        String pod = run + "-chief-0";
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(pod)
                .addToLabels("training.kubeflow.org/job-name", run)
                .addToLabels("training.kubeflow.org/replica-type", "chief")
                .addToLabels("training.kubeflow.org/replica-index", "0").endMetadata()
                .withNewStatus().withPhase("Pending").endStatus().build()).create();
        String log = "/api/v1/namespaces/" + NS + "/pods/" + pod + "/log?pretty=false&container=tensorflow";
        server.expect().get().withPath(log).andReturn(200, "step 1\n").always();
        server.expect().get().withPath(log + "&follow=true").andReturn(200, "step 1\n").always();
        // A failed job takes the same calls as a succeeded one, and reads the pods' terminations too; no S3 is needed.
        KubernetesTrainingBackend training = new KubernetesTrainingBackend(api, new TrainingJobManifest(settings,
                KubernetesFixtures.s3()), JobKind.TFJob, null);
        try (TrainingOperator operator = new TrainingOperator(client, NS)) {
            operator.failingWith("TFJob " + run + " has failed because 1 Chief replica(s) failed.");
            try {
                training.train(KubernetesFixtures.request(run), progress -> { });
            } catch (RuntimeException expected) {
                // the failure is the operator's; the calls are what this test is after
            }
        }
        training.copyLog(run, null, new ByteArrayOutputStream(), () -> false);
        // `caravan logs -f` while the pod still starts: the log follows once the pod runs.
        CompletableFuture.runAsync(() -> client.pods().inNamespace(NS).withName(pod).editStatus(p -> new PodBuilder(p)
                .editStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build()), CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
        AtomicInteger asked = new AtomicInteger();
        training.copyLog(run, null, new ByteArrayOutputStream(), () -> asked.getAndIncrement() < 2);
        assertThat(training.cancel(run)).isTrue();
    }

    private static void serve(KubernetesApi api, KubernetesSettings settings) {
        KubernetesServingBackend serving = new KubernetesServingBackend(api,
                new ServingManifests(settings, KubernetesFixtures.s3()),
                (namespace, service) -> new ServingEndpoint(service, 8500, 8501), Duration.ofSeconds(5));
        try (Watch ignored = markRolloutsReady()) {
            serving.serve("rbac", 1, S3Location.parse("s3://tfmnist/models/rbac/1/"));
            serving.serve("rbac", 2, S3Location.parse("s3://tfmnist/models/rbac/2/"));
        }
        serving.stop("rbac");
    }

    private static void tensorBoard(KubernetesApi api, KubernetesSettings settings) {
        TensorBoardManifests manifests = new TensorBoardManifests(settings, KubernetesFixtures.s3());
        new KubernetesTensorBoard(api, manifests, Clock.systemUTC())
                .start("rbac-bbbbbbbbbb", S3Location.parse("s3://tfmnist/training/rbac-bbbbbbbbbb/"));
        Clock afterRetention = Clock.fixed(Instant.now().plus(Duration.ofDays(30)), ZoneOffset.UTC);
        assertThat(new KubernetesTensorBoard(api, manifests, afterRetention).removeExpired()).isEqualTo(1);
    }

    private static void leaderElection(KubernetesClient caravan, KubernetesSettings settings) throws Exception {
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("caravan-0")
                .addToLabels("app.kubernetes.io/name", "caravan").endMetadata()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build()).create();
        KubernetesClusterService service = LeaderElection.clusterService(caravan, settings);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addService(service);
            camel.start();
            CamelClusterView view = service.getView(LeaderElection.GROUP);
            await().atMost(Duration.ofSeconds(15)).until(() -> view.getLocalMember().isLeader());
            String renewed = lease().getSpec().getRenewTime().toString();
            await().atMost(Duration.ofSeconds(15)).until(() -> !lease().getSpec().getRenewTime().toString().equals(renewed));
            camel.stop();
        }
    }

    private static io.fabric8.kubernetes.api.model.coordination.v1.Lease lease() {
        return client.leases().inNamespace(NS).withName(LeaderElection.LEASE).get();
    }

    /**
     * The Deployment controller's part: a rollout of the serving Deployment becomes ready a moment after it starts, as
     * in a cluster, so that Caravan waits for it with a watch.
     */
    private static Watch markRolloutsReady() {
        return client.apps().deployments().inNamespace(NS).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment deployment) {
                if (action == Action.DELETED || deployment.getStatus() != null
                        && deployment.getMetadata().getGeneration().equals(deployment.getStatus().getObservedGeneration())) {
                    return;
                }
                int replicas = deployment.getSpec().getReplicas();
                deployment.setStatus(new DeploymentStatusBuilder().withObservedGeneration(deployment.getMetadata()
                        .getGeneration()).withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
                        .build());
                CompletableFuture.runAsync(() -> client.apps().deployments().inNamespace(NS).resource(deployment)
                        .updateStatus(), CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    /** The request as RBAC sees it (Kubernetes "Authorization overview": request verbs). */
    private static Call call(RecordedRequest request) {
        String path = request.getPath();
        String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
        Matcher matcher = RESOURCE_PATH.matcher(path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
        assertThat(matcher.matches()).as("a namespaced resource request, not " + request.getMethod() + " " + path).isTrue();
        String group = matcher.group(1) == null ? "" : matcher.group(1);
        String name = matcher.group(3);
        String resource = matcher.group(2) + (matcher.group(4) == null ? "" : "/" + matcher.group(4));
        boolean watch = Arrays.asList(query.split("&")).contains("watch=true");
        String verb = switch (request.getMethod()) {
            case "GET" -> watch ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> throw new AssertionError("unexpected method in " + request.getRequestLine());
        };
        return new Call(group, resource, verb, name);
    }

    private static boolean allows(PolicyRule rule, Call call) {
        boolean named = rule.getResourceNames() == null || rule.getResourceNames().isEmpty();
        return rule.getApiGroups().contains(call.group()) && rule.getResources().contains(call.resource())
                && rule.getVerbs().contains(call.verb())
                && (named || call.name() != null && rule.getResourceNames().contains(call.name()));
    }

    private static Role role() throws Exception {
        List<Role> roles = new ArrayList<>();
        for (String doc : Files.readString(Path.of("k8s", "base", "role.yaml")).split("(?m)^---$")) {
            if (Serialization.unmarshal(doc) instanceof Role role) {
                roles.add(role);
            }
        }
        assertThat(roles).hasSize(1);
        return roles.get(0);
    }
}
