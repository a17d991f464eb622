package dev.caravan.serving;

import java.nio.file.Path;
import java.util.OptionalLong;

import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/**
 * The local runtime's model server, compatible with TensorFlow Serving: gRPC {@code PredictionService} and
 * {@code ModelService}, and the REST API, serving SavedModels loaded with TensorFlow Java. Exports are copied
 * from S3 to {@code <cacheDir>/<model>/<version>/} before loading. A new version is loaded before it replaces
 * the served one, which keeps answering the requests it started, so clients see no failures during a promotion.
 *
 * <p>Transport threads decode and check requests; a few prediction threads (one per core but one) run them, stacking
 * requests that queue up meanwhile into one TensorFlow call (see {@link ModelServerSettings}).
 *
 * <p>{@link #start()} opens the ports; {@link #endpoint()} then tells the ports bound (useful with port 0);
 * {@link #close()} stops the server and unloads the models.
 */
public final class LocalServingBackend implements ServingBackend, AutoCloseable {

    private final ExportCache cache;
    private final ModelServerSettings settings;
    private final ServingLatency latency;
    private final ServedModels models = new ServedModels();
    private Servers servers;

    /** A server that serves exports from S3 (and local folders). */
    public LocalServingBackend(ObjectStore store, Path cacheDir, ModelServerSettings settings) {
        this(store, cacheDir, settings, ServingLatency.NONE);
    }

    /** A server that serves exports from S3 (and local folders) and reports each call's latency. */
    public LocalServingBackend(ObjectStore store, Path cacheDir, ModelServerSettings settings, ServingLatency latency) {
        this.cache = new ExportCache(store, cacheDir);
        this.settings = settings;
        this.latency = latency;
    }

    /** A server that serves local folders only, with {@link #serveDirectory}. */
    public LocalServingBackend(ModelServerSettings settings) {
        this.cache = null;
        this.settings = settings;
        this.latency = ServingLatency.NONE;
    }

    /** Opens the gRPC and REST ports; models served before or after are answered from then on. */
    public synchronized void start() {
        if (servers == null) {
            servers = Servers.start(settings, models, latency);
        }
    }

    @Override
    public void serve(String model, long version, S3Location export) {
        if (cache == null) {
            throw new ServingException("this model server was made without S3 access and cannot serve " + export
                    + "; create it with an ObjectStore and a cache folder");
        }
        Path dir = cache.fetch(model, version, export);
        try {
            serveDirectory(model, version, dir);
        } catch (ServingException e) {
            // A broken copy must not be taken for a complete one next time.
            cache.evict(model, version);
            throw e;
        }
    }

    /**
     * Serves the SavedModel in {@code savedModelDir} as {@code version} of {@code model}. Serving the version
     * already served does nothing.
     *
     * @throws ServingException when the version cannot be loaded; the version served before stays served
     */
    public void serveDirectory(String model, long version, Path savedModelDir) {
        models.promote(model, version, () -> LoadedModel.load(model, version, savedModelDir));
    }

    @Override
    public void stop(String model) {
        models.stop(model);
    }

    @Override
    public OptionalLong servingVersion(String model) {
        return models.servingVersion(model);
    }

    /** The host clients use and the ports bound; only after {@link #start()}. */
    @Override
    public ServingEndpoint endpoint(String model) {
        return endpoint();
    }

    /** The one model server's ports, which every model shares. */
    public synchronized ServingEndpoint endpoint() {
        if (servers == null) {
            throw new IllegalStateException("the model server is not started; call start() first");
        }
        String host = settings.host().equals("0.0.0.0") || settings.host().equals("::") ? "127.0.0.1" : settings.host();
        return new ServingEndpoint(host, servers.grpc.port(), servers.rest.port());
    }

    /** Closes the ports, lets running requests finish, and unloads every model. */
    @Override
    public synchronized void close() {
        if (servers != null) {
            servers.close();
            servers = null;
        }
        models.close();
    }

    private record Servers(GrpcServer grpc, RestServer rest, BatchScheduler scheduler) {

        // Up to this many predictions wait for a thread; beyond, clients are told to retry (RESOURCE_EXHAUSTED).
        private static final int MAX_QUEUED = 10_000;

        static Servers start(ModelServerSettings settings, ServedModels models, ServingLatency latency) {
            BatchScheduler scheduler = new BatchScheduler(settings.predictionThreads(), settings.maxBatchRows(), MAX_QUEUED);
            Predictions predictions = new Predictions(models, scheduler, latency);
            GrpcServer grpc = null;
            try {
                grpc = GrpcServer.start(settings.host(), settings.grpcPort(), settings.predictionThreads(), models,
                        predictions);
                RestServer rest = RestServer.start(settings.host(), settings.restPort(), settings.predictionThreads(),
                        new RestApi(models, predictions));
                return new Servers(grpc, rest, scheduler);
            } catch (RuntimeException e) {
                if (grpc != null) {
                    grpc.close();
                }
                scheduler.close();
                throw e;
            }
        }

        /** Stops taking requests, then lets the queued and running predictions finish or be refused. */
        void close() {
            try {
                grpc.close();
                rest.close();
            } finally {
                scheduler.close();
            }
        }
    }
}
