package dev.caravan.serving;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

import dev.caravan.serving.api.Code;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.ModelVersionStatus;

/**
 * The models this server answers for. Each model name holds the version served now; a promotion loads the new
 * version first, then swaps it in, and the old one closes once the requests running on it finish, so no request
 * fails during a swap and at most two versions of a model are loaded at once.
 */
final class ServedModels implements AutoCloseable {

    private final ConcurrentMap<String, ModelSlot> slots = new ConcurrentHashMap<>();

    /** A request's hold on a loaded version, given back on close. */
    record Lease(LoadedModel model) implements AutoCloseable {
        @Override
        public void close() {
            model.release();
        }
    }

    /** The version a request asks for, held until the lease is closed. */
    Lease acquire(ModelSpec spec) {
        String name = requireName(spec);
        if (spec.getVersionChoiceCase() == ModelSpec.VersionChoiceCase.VERSION_LABEL) {
            throw ServingError.invalidArgument("version label '" + spec.getVersionLabel() + "' is unknown: this server "
                    + "assigns no labels; ask for a version number, or none for the version served");
        }
        ModelSlot slot = slots.get(name);
        while (true) {
            LoadedModel model = slot == null ? null : slot.current();
            if (model == null || (spec.hasVersion() && model.version() != spec.getVersion().getValue())) {
                throw ServingError.notFound("Servable not found for request: " + describe(spec));
            }
            // A model that cannot be retained was swapped out and has drained; the slot now holds its successor.
            if (model.retain()) {
                return new Lease(model);
            }
        }
    }

    /**
     * Loads a version with {@code loader} and serves it instead of the current one. If loading fails the current
     * version stays served and the failure is recorded in the model's status.
     */
    void promote(String name, long version, Supplier<LoadedModel> loader) {
        ModelSlot slot = slots.computeIfAbsent(name, ModelSlot::new);
        synchronized (slot) {
            LoadedModel current = slot.current();
            if (current != null && current.version() == version) {
                return;
            }
            slot.record(version, ModelVersionStatus.State.LOADING, Code.OK, "");
            LoadedModel loaded;
            try {
                loaded = loader.get();
            } catch (RuntimeException e) {
                slot.record(version, ModelVersionStatus.State.END, Code.UNKNOWN, String.valueOf(e.getMessage()));
                throw e;
            }
            slot.swap(loaded);
        }
    }

    OptionalLong servingVersion(String name) {
        ModelSlot slot = slots.get(name);
        LoadedModel model = slot == null ? null : slot.current();
        return model == null ? OptionalLong.empty() : OptionalLong.of(model.version());
    }

    /** The state of every version the server knows of this model, or of the one asked for, newest first. */
    List<ModelVersionStatus> status(ModelSpec spec) {
        String name = requireName(spec);
        ModelSlot slot = slots.get(name);
        List<ModelVersionStatus> all = slot == null ? List.of() : slot.statuses();
        if (all.isEmpty()) {
            throw ServingError.notFound("Could not find any versions of model " + name);
        }
        if (!spec.hasVersion()) {
            return all;
        }
        List<ModelVersionStatus> one = all.stream().filter(s -> s.getVersion() == spec.getVersion().getValue()).toList();
        if (one.isEmpty()) {
            throw ServingError.notFound("Could not find version " + spec.getVersion().getValue() + " of model " + name);
        }
        return one;
    }

    /** Stops serving one model; its version closes once its running requests finish. */
    void stop(String name) {
        ModelSlot slot = slots.get(name);
        if (slot != null) {
            synchronized (slot) {
                slot.retire();
            }
        }
    }

    /** Stops serving every model; each closes once its running requests finish. */
    @Override
    public void close() {
        slots.values().forEach(ModelSlot::retire);
    }

    /** How TensorFlow Serving names a request in errors: {@code Latest(mnist)} or {@code Specific(mnist, 3)}. */
    static String describe(ModelSpec spec) {
        return spec.hasVersion() ? "Specific(" + spec.getName() + ", " + spec.getVersion().getValue() + ")"
                : "Latest(" + spec.getName() + ")";
    }

    private static String requireName(ModelSpec spec) {
        if (spec.getName().isEmpty()) {
            throw ServingError.invalidArgument("model_spec.name is empty; name the model to ask for, for example mnist");
        }
        return spec.getName();
    }
}
