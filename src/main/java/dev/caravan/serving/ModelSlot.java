package dev.caravan.serving;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import dev.caravan.serving.api.Code;
import dev.caravan.serving.api.ModelVersionStatus;
import dev.caravan.serving.api.StatusProto;

/** One model name: the version served now, and the recent history of its versions for status queries. */
final class ModelSlot {

    private static final int HISTORY = 10;

    private final String name;
    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private final Map<Long, ModelVersionStatus> history = new TreeMap<>(Comparator.reverseOrder());

    ModelSlot(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    LoadedModel current() {
        return current.get();
    }

    /** Serves {@code loaded}; the previous version closes once its requests finish. */
    void swap(LoadedModel loaded) {
        LoadedModel previous = current.getAndSet(loaded);
        record(loaded.version(), ModelVersionStatus.State.AVAILABLE, Code.OK, "");
        if (previous != null) {
            unload(previous);
        }
    }

    void retire() {
        LoadedModel previous = current.getAndSet(null);
        if (previous != null) {
            unload(previous);
        }
    }

    synchronized void record(long version, ModelVersionStatus.State state, Code code, String message) {
        history.put(version, ModelVersionStatus.newBuilder().setVersion(version).setState(state)
                .setStatus(StatusProto.newBuilder().setErrorCode(code).setErrorMessage(message)).build());
        // Forget the oldest ended versions first; versions loaded or loading always stay visible.
        List<Long> ended = history.values().stream().filter(s -> s.getState() == ModelVersionStatus.State.END)
                .map(ModelVersionStatus::getVersion).sorted().toList();
        for (int i = 0; history.size() > HISTORY && i < ended.size(); i++) {
            history.remove(ended.get(i));
        }
    }

    synchronized List<ModelVersionStatus> statuses() {
        return List.copyOf(history.values());
    }

    private void unload(LoadedModel previous) {
        record(previous.version(), ModelVersionStatus.State.UNLOADING, Code.OK, "");
        previous.closed().thenRun(() -> ended(previous.version()));
        previous.release();
    }

    // A version promoted again while its old copy drained is served, not ended.
    private synchronized void ended(long version) {
        LoadedModel now = current.get();
        if (now == null || now.version() != version) {
            record(version, ModelVersionStatus.State.END, Code.OK, "");
        }
    }
}
