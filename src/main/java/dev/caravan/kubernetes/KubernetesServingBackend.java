package dev.caravan.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.ServingException;
import dev.caravan.storage.S3Location;

/**
 * Serves a model with a TensorFlow Serving Deployment and Service. Serving a version rolls the Deployment to it and
 * waits until the rollout is ready; when it is not, the Deployment goes back to the version it served before.
 */
final class KubernetesServingBackend implements ServingBackend {

    static final String EXPORT = "caravan.dev/export";
    private static final Logger log = LoggerFactory.getLogger(KubernetesServingBackend.class);

    private final KubernetesApi api;
    private final ServingManifests manifests;
    private final ServingAccess access;
    private final Duration readyTimeout;

    KubernetesServingBackend(KubernetesApi api, ServingManifests manifests, ServingAccess access, Duration readyTimeout) {
        this.api = api;
        this.manifests = manifests;
        this.access = access;
        this.readyTimeout = readyTimeout;
    }

    @Override
    public void serve(String model, long version, S3Location export) {
        try {
            Deployment wanted = manifests.deployment(model, version, export);
            wanted.getMetadata().getAnnotations().put(EXPORT, export.asPrefix().uri());
            api.checkReady();
            Optional<Deployment> before = current(model);
            Deployment applied = apply(wanted);
            applyService(model, applied);
            applyDisruptionBudget(model, applied);
            if (!awaitReady(applied)) {
                before.ifPresent(this::rollBackTo);
                throw new ServingException("version " + version + " of " + model + " did not become ready within "
                        + readyTimeout + "; " + before.map(d -> "serving stays on version " + versionOf(d).orElse(-1))
                        .orElse("nothing served before it") + "; see kubectl -n " + api.namespace()
                        + " describe deployment " + ServingManifests.name(model));
            }
            log.info("Deployment {} serves version {} of {}", ServingManifests.name(model), version, model);
        } catch (IllegalArgumentException | KubernetesException e) {
            throw new ServingException(e.getMessage(), e);
        }
    }

    @Override
    public void stop(String model) {
        String name = ServingManifests.name(model);
        api.run("delete Deployment " + name, () -> api.client().apps().deployments().inNamespace(api.namespace())
                .withName(name).delete());
        api.run("delete Service " + name, () -> api.client().services().inNamespace(api.namespace()).withName(name).delete());
        api.run("delete PodDisruptionBudget " + name, () -> api.client().policy().v1().podDisruptionBudget()
                .inNamespace(api.namespace()).withName(name).delete());
    }

    @Override
    public OptionalLong servingVersion(String model) {
        return current(model).map(KubernetesServingBackend::versionOf).orElse(OptionalLong.empty());
    }

    @Override
    public ServingEndpoint endpoint(String model) {
        return access.endpoint(api.namespace(), ServingManifests.name(model));
    }

    private Optional<Deployment> current(String model) {
        String name = ServingManifests.name(model);
        return Optional.ofNullable(api.call("read Deployment " + name,
                () -> api.client().apps().deployments().inNamespace(api.namespace()).withName(name).get()));
    }

    private Deployment apply(Deployment deployment) {
        return api.call("apply Deployment " + deployment.getMetadata().getName(), () -> api.client().apps().deployments()
                .inNamespace(api.namespace()).resource(deployment).createOr(NonDeletingOperation::update));
    }

    private void applyService(String model, Deployment owner) {
        Service service = manifests.service(model);
        service.getMetadata().setOwnerReferences(ownedBy(owner));
        api.call("apply Service " + service.getMetadata().getName(), () -> api.client().services()
                .inNamespace(api.namespace()).resource(service).createOr(NonDeletingOperation::update));
    }

    private void applyDisruptionBudget(String model, Deployment owner) {
        PodDisruptionBudget budget = manifests.podDisruptionBudget(model);
        budget.getMetadata().setOwnerReferences(ownedBy(owner));
        api.call("apply PodDisruptionBudget " + budget.getMetadata().getName(), () -> api.client().policy().v1()
                .podDisruptionBudget().inNamespace(api.namespace()).resource(budget).createOr(NonDeletingOperation::update));
    }

    /** The serving Deployment owns its Service and budget: deleting it deletes them too. */
    private static List<OwnerReference> ownedBy(Deployment owner) {
        return List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).build());
    }

    private boolean awaitReady(Deployment applied) {
        try {
            api.client().apps().deployments().inNamespace(api.namespace()).withName(applied.getMetadata().getName())
                    .waitUntilCondition(d -> d != null && rolledOut(d, applied), readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (KubernetesClientTimeoutException e) {
            return false;
        }
    }

    /** Ready when the controller has seen this generation and every replica runs it and passes its probe. */
    static boolean rolledOut(Deployment d, Deployment applied) {
        if (d.getStatus() == null || !versionOf(d).equals(versionOf(applied))) {
            return false;
        }
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        long observed = d.getStatus().getObservedGeneration() == null ? -1 : d.getStatus().getObservedGeneration();
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        return observed >= generation && value(d.getStatus().getUpdatedReplicas()) >= replicas
                && value(d.getStatus().getReadyReplicas()) >= replicas && value(d.getStatus().getReplicas()) <= replicas;
    }

    private void rollBackTo(Deployment before) {
        Map<String, String> annotations = before.getMetadata().getAnnotations();
        S3Location export = S3Location.parse(annotations.get(EXPORT));
        long version = versionOf(before).orElseThrow();
        Deployment previous = manifests.deployment(modelName(before), version, export);
        previous.getMetadata().getAnnotations().put(EXPORT, export.uri());
        apply(previous);
    }

    private static String modelName(Deployment d) {
        return d.getMetadata().getLabels().get(Names.MODEL);
    }

    static OptionalLong versionOf(Deployment d) {
        String version = d.getMetadata().getAnnotations() == null ? null : d.getMetadata().getAnnotations().get(Names.MODEL_VERSION);
        return version == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(version));
    }

    private static int value(Integer count) {
        return count == null ? 0 : count;
    }
}
