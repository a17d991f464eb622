package dev.caravan.serving;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.caravan.serving.api.SignatureDef;
import dev.caravan.serving.api.SignatureDefMap;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * One version of a model loaded in TensorFlow. It is reference-counted: the server holds one reference while the
 * version is served and every request holds one while it runs, so the native model is closed only after the
 * server let go of it and the last request on it finished.
 */
final class LoadedModel {

    static final String DEFAULT_SIGNATURE = "serving_default";

    // Each request runs its ops in its own thread: with batch-1 requests from many clients, handing ops to
    // TensorFlow's pools only adds thread switches. Parallelism comes from the server's request threads.
    private static final ConfigProto SESSION_CONFIG = ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(1)
            .setInterOpParallelismThreads(-1)
            .build();

    private final String name;
    private final long version;
    private final SavedModelBundle bundle;
    private final Map<String, ModelSignature> signatures;
    private final SignatureDefMap signatureDefs;
    private final AtomicInteger references = new AtomicInteger(1);
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private LoadedModel(String name, long version, SavedModelBundle bundle, SignatureDefMap signatureDefs) {
        this.name = name;
        this.version = version;
        this.bundle = bundle;
        this.signatureDefs = signatureDefs;
        this.signatures = signatures(name, version, bundle, signatureDefs);
    }

    /** Loads the SavedModel in {@code dir} (tag {@code serve}); the caller owns the one reference it starts with. */
    static LoadedModel load(String name, long version, Path dir) {
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            throw new ServingException("cannot load version " + version + " of model " + name + ": " + dir
                    + " holds no saved_model.pb; export the model with tag 'serve' into that folder");
        }
        SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.loader(dir.toString()).withTags("serve").withConfigProto(SESSION_CONFIG).load();
        } catch (RuntimeException e) {
            throw new ServingException("cannot load version " + version + " of model " + name + " from " + dir
                    + ": " + e.getMessage() + "; is the export complete and written by TensorFlow 2?", e);
        }
        try {
            SignatureDefMap.Builder defs = SignatureDefMap.newBuilder();
            for (var entry : bundle.metaGraphDef().getSignatureDefMap().entrySet()) {
                defs.putSignatureDef(entry.getKey(), SignatureDef.parseFrom(entry.getValue().toByteString()));
            }
            LoadedModel model = new LoadedModel(name, version, bundle, defs.build());
            model.signatures.values().forEach(signature -> signature.warmUp(bundle.session()));
            return model;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            bundle.close();
            throw new ServingException("version " + version + " of model " + name + " in " + dir
                    + " cannot serve: " + e.getMessage() + "; check its signatures with saved_model_cli show --all", e);
        }
    }

    String name() {
        return name;
    }

    long version() {
        return version;
    }

    Session session() {
        return bundle.session();
    }

    SignatureDefMap signatureDefs() {
        return signatureDefs;
    }

    /** The named signature; an empty name means {@code serving_default}, as in TensorFlow Serving. */
    ModelSignature signature(String key) {
        String wanted = key.isEmpty() ? DEFAULT_SIGNATURE : key;
        ModelSignature signature = signatures.get(wanted);
        if (signature == null) {
            throw ServingError.failedPrecondition("serving signature '" + wanted + "' is not in model " + name
                    + " version " + version + "; it has " + String.join(", ", signatures.keySet()));
        }
        return signature;
    }

    /** Takes a reference for a request; false once the model is closed or closing (then ask for the current one). */
    boolean retain() {
        for (int count = references.get(); count > 0; count = references.get()) {
            if (references.compareAndSet(count, count + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives a reference back; the last one closes the native model. */
    void release() {
        if (references.decrementAndGet() == 0) {
            bundle.close();
            closed.complete(null);
        }
    }

    /** Completes when the native model has been closed. */
    CompletableFuture<Void> closed() {
        return closed;
    }

    private static Map<String, ModelSignature> signatures(String name, long version, SavedModelBundle bundle,
                                                          SignatureDefMap defs) {
        Map<String, ModelSignature> signatures = new LinkedHashMap<>();
        // Keys starting with "__" (such as __saved_model_init_op) are TensorFlow's own, not callable signatures.
        defs.getSignatureDefMap().forEach((key, def) -> {
            if (!key.startsWith("__")) {
                signatures.put(key, ModelSignature.of(name, version, key, def, bundle.graph()));
            }
        });
        return signatures;
    }
}
