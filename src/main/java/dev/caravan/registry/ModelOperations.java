package dev.caravan.registry;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

import dev.caravan.pipeline.RunEvent;
import dev.caravan.registry.ModelVersion.State;
import dev.caravan.serving.ServingBackend;

/** What users do to models by hand: serve a chosen version, or roll back to the one that served before. */
@Service
public class ModelOperations {

    private final ModelRegistry registry;
    private final ServingBackend serving;
    private final ApplicationEventPublisher events;

    public ModelOperations(ModelRegistry registry, ServingBackend serving, ApplicationEventPublisher events) {
        this.registry = registry;
        this.serving = serving;
        this.events = events;
    }

    /** Serves {@code version} of {@code model}; the version serving before is retired. */
    public ModelVersion promote(String model, long version, String by) {
        ModelVersion chosen = registry.find(model, version).orElseThrow(() -> new ModelNotFoundException(model, version));
        if (chosen.state() == State.SERVING) {
            return chosen;
        }
        Long previous = registry.serving(model).map(ModelVersion::version).orElse(null);
        serving.serve(model, version, chosen.export());
        registry.promote(model, version, "promoted by " + by);
        events.publishEvent(new RunEvent.ModelPromoted(chosen.runName(), model, version, previous));
        return registry.find(model, version).orElseThrow();
    }

    /** Serves again the version that served before the current one. */
    public ModelVersion rollBack(String model, String by) {
        ModelVersion current = registry.serving(model).orElseThrow(() -> new IllegalStateException(
                "model " + model + " has no serving version to roll back from"));
        ModelVersion previous = registry.lastRetired(model).orElseThrow(() -> new IllegalStateException(
                "model " + model + " has no earlier version to roll back to; version " + current.version()
                        + " is the only one that served"));
        serving.serve(model, previous.version(), previous.export());
        registry.promote(model, previous.version(), "rolled back to by " + by + " from version " + current.version());
        events.publishEvent(new RunEvent.ModelRolledBack(current.runName(), model, current.version(), previous.version(),
                "rolled back by " + by));
        return registry.find(model, previous.version()).orElseThrow();
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
