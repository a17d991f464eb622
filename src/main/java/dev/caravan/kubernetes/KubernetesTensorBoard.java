package dev.caravan.kubernetes;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

import dev.caravan.storage.S3Location;
import dev.caravan.tensorboard.TensorBoardBackend;
import dev.caravan.tensorboard.TensorBoardInfo;

/** A run's TensorBoard as a Deployment and Service; {@link #removeExpired()} deletes those past their retention. */
final class KubernetesTensorBoard implements TensorBoardBackend {

    private final KubernetesApi api;
    private final TensorBoardManifests manifests;
    private final Clock clock;

    KubernetesTensorBoard(KubernetesApi api, TensorBoardManifests manifests, Clock clock) {
        this.api = api;
        this.manifests = manifests;
        this.clock = clock;
    }

    @Override
    public TensorBoardInfo start(String runName, S3Location logDir) {
        Deployment wanted = manifests.deployment(runName, logDir, clock.instant());
        api.checkReady();
        String name = wanted.getMetadata().getName();
        Deployment applied = api.call("apply Deployment " + name, () -> api.client().apps().deployments()
                .inNamespace(api.namespace()).resource(wanted).createOr(NonDeletingOperation::update));
        Service service = manifests.service(runName);
        // The Service goes with its Deployment when the retention ends.
        service.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                .withKind("Deployment").withName(name).withUid(applied.getMetadata().getUid()).build()));
        api.call("apply Service " + name, () -> api.client().services().inNamespace(api.namespace()).resource(service)
                .createOr(NonDeletingOperation::update));
        return new TensorBoardInfo(logDir.asPrefix().uri(),
                "kubectl -n " + api.namespace() + " port-forward service/" + name + " 6006:80, then http://127.0.0.1:6006");
    }

    /** Deletes the TensorBoards whose retention has ended; returns how many. */
    int removeExpired() {
        Instant now = clock.instant();
        List<Deployment> expired = api.call("list TensorBoard Deployments", () -> api.client().apps().deployments()
                .inNamespace(api.namespace()).withLabel(Names.COMPONENT, "tensorboard").list().getItems()).stream()
                .filter(d -> {
                    String until = d.getMetadata().getAnnotations() == null ? null
                            : d.getMetadata().getAnnotations().get(Names.RETAIN_UNTIL);
                    return until != null && Instant.parse(until).isBefore(now);
                }).toList();
        for (Deployment d : expired) {
            String name = d.getMetadata().getName();
            api.run("delete Deployment " + name, () -> api.client().apps().deployments().inNamespace(api.namespace())
                    .withName(name).delete());
            // The API server's garbage collector deletes owned Services; say it explicitly for clusters without it.
            api.run("delete Service " + name, () -> api.client().services().inNamespace(api.namespace()).withName(name).delete());
        }
        return expired.size();
    }
}
