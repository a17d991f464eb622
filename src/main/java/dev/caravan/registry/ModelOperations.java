package dev.caravan.registry;

import java.time.Instant;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

import dev.caravan.registry.ModelVersion.State;
import dev.caravan.serving.ServingBackend;

/**
 * Moves serving between a model's versions: the one way a version is promoted or rolled back, whether a run's steps
 * ask (promote, then smoke-test) or a person does through the API and CLI. Each change serves first, then records,
 * then tells: a version is never recorded as serving before the model server answers with it.
 */
@Service
public class ModelOperations {

    private final ModelRegistry registry;
    private final ServingBackend serving;
    private final ApplicationEventPublisher events;
    private final VersionFolders folders;
    private final ModelHistory history;

    public ModelOperations(ModelRegistry registry, ServingBackend serving, ApplicationEventPublisher events,
                           VersionFolders folders, ModelHistory history) {
        this.registry = registry;
        this.history = history;
        this.folders = folders;
        this.serving = serving;
        this.events = events;
    }

    /**
     * Serves {@code version} of {@code model}; the version serving before is retired. A version already serving stays.
     *
     * @throws ModelNotFoundException when the model has no such version
     * @throws dev.caravan.serving.ServingException when the version cannot be loaded; the one before keeps serving
     * @throws VersionFolders.VersionFolderTakenException when another run owns the version's folder; nothing changes
     */
    public ModelVersion promote(String model, long version, String by) {
        ModelVersion chosen = registry.find(model, version).orElseThrow(() -> new ModelNotFoundException(model, version));
        if (chosen.state() == State.SERVING) {
            return chosen;
        }
        Long previous = registry.serving(model).map(ModelVersion::version).orElse(null);
        serve(chosen);
        registry.promote(model, version, "promoted by " + by);
        history.record(model, new ModelHistory.Change(Instant.now(), ModelHistory.Change.PROMOTED, version, previous,
                chosen.runName(), by, null));
        events.publishEvent(new ModelEvent.Promoted(chosen.runName(), model, version, previous, by));
        return registry.find(model, version).orElseThrow();
    }

    /** Serves again the version that served before the current one. */
    public ModelVersion rollBack(String model, String by) {
        ModelVersion current = registry.serving(model).orElseThrow(() -> new IllegalStateException(
                "model " + model + " has no serving version to roll back from"));
        ModelVersion previous = registry.lastRetired(model).orElseThrow(() -> new IllegalStateException(
                "model " + model + " has no earlier version to roll back to; version " + current.version()
                        + " is the only one that served"));
        serve(previous);
        registry.promote(model, previous.version(), "rolled back to by " + by + " from version " + current.version());
        history.record(model, new ModelHistory.Change(Instant.now(), ModelHistory.Change.ROLLED_BACK,
                previous.version(), current.version(), current.runName(), by, "rolled back by " + by));
        events.publishEvent(new ModelEvent.RolledBack(current.runName(), model, current.version(), previous.version(),
                "rolled back by " + by));
        return registry.find(model, previous.version()).orElseThrow();
    }

    /**
     * Takes {@code failed} out of service for {@code reason} (a failed smoke test): {@code previous} serves again, or,
     * when no version served before, the model is not served at all. {@code failed} is recorded as rejected.
     *
     * @return what serves now, in words, for the run's message
     */
    public String withdraw(String model, long failed, Long previous, String reason) {
        if (previous == null) {
            serving.stop(model);
        } else {
            serve(registry.find(model, previous).orElseThrow());
        }
        String run = registry.find(model, failed).map(ModelVersion::runName).orElse(null);
        registry.rollBack(model, failed, previous, reason);
        history.record(model, new ModelHistory.Change(Instant.now(), ModelHistory.Change.ROLLED_BACK, previous, failed,
                run, "run " + run, reason));
        events.publishEvent(new ModelEvent.RolledBack(run, model, failed, previous, reason));
        return previous == null ? "no version served before it, so " + model + " is not served now"
                : "serving rolled back to version " + previous;
    }

    /** Serves a version's export once it is known to be the one its run made, not another run's in its folder. */
    private void serve(ModelVersion version) {
        folders.checkOwner(version.export(), version.runName());
        serving.serve(version.model(), version.version(), version.export());
    }

    /** No such model, or no such version of it. */
    public static class ModelNotFoundException extends RuntimeException {

        public ModelNotFoundException(String model) {
            super("no model named '" + model + "'; list the models with: caravan models");
        }

        public ModelNotFoundException(String model, long version) {
            super("model " + model + " has no version " + version + "; list its versions with: caravan models " + model);
        }
    }
}
