package dev.caravan.system;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

import dev.caravan.storage.S3Properties;

/**
 * Begins the two slowest parts of a start beside the Spring context instead of after it: TensorFlow's native library
 * (hundreds of megabytes to map and initialise) as the application starts, and the embedded S3 server once the
 * settings are complete, each on a thread of its own. The beans that need them ({@link StartupWarmUp},
 * {@link StorageConfiguration}) take them from here, so they wait only for what is not done yet; whatever the context
 * did not take is closed with it.
 */
class EarlyStart implements SmartApplicationListener, Ordered {

    static final String BEAN_NAME = "caravanEarlyStart";

    private CompletableFuture<Void> tensorFlow;
    private EarlyStorage storage;

    /** The embedded S3 server begun for these settings, until a bean claims it. */
    private record EarlyStorage(S3Properties properties, Path home,
                                CompletableFuture<StorageConfiguration.EmbeddedS3Holder> holder) {
    }

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> type) {
        return ApplicationStartingEvent.class.isAssignableFrom(type)
                || ApplicationPreparedEvent.class.isAssignableFrom(type)
                || ApplicationFailedEvent.class.isAssignableFrom(type)
                || ContextClosedEvent.class.isAssignableFrom(type);
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationStartingEvent) {
            beginTensorFlow();
        } else if (event instanceof ApplicationPreparedEvent prepared) {
            // Only now does the environment hold every setting, tests' dynamic properties included.
            beginStorage(prepared.getApplicationContext().getEnvironment());
            prepared.getApplicationContext().getBeanFactory().registerSingleton(BEAN_NAME, this);
        } else {
            closeUnclaimed();
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    private synchronized void beginTensorFlow() {
        tensorFlow = onThread("caravan-start-tensorflow", () -> {
            StartupWarmUp.runTrivialGraph();
            return null;
        });
    }

    private synchronized void beginStorage(ConfigurableEnvironment environment) {
        String home = environment.getProperty("caravan.home");
        Optional<S3Properties> s3;
        try {
            s3 = Binder.get(environment).bind("caravan.s3", S3Properties.class).map(Optional::of).orElse(Optional.empty());
        } catch (BindException e) {
            // Nothing begins early then: the context binds the same settings and reports them with names and reasons.
            s3 = Optional.empty();
        }
        if (home != null && s3.isPresent() && s3.get().useEmbedded()) {
            S3Properties settings = s3.get();
            Path homeDir = Path.of(home);
            storage = new EarlyStorage(settings, homeDir,
                    onThread("caravan-start-s3", () -> StorageConfiguration.startStorage(settings, homeDir)));
        }
    }

    /** Waits for TensorFlow's first use, begun at start; rethrows its failure. */
    void awaitTensorFlow() {
        CompletableFuture<Void> begun;
        synchronized (this) {
            begun = tensorFlow;
        }
        if (begun == null) {
            StartupWarmUp.runTrivialGraph();
        } else {
            join(begun);
        }
    }

    /** The embedded S3 server begun at start for exactly these settings, which the caller then owns; else empty. */
    Optional<StorageConfiguration.EmbeddedS3Holder> claimStorage(S3Properties s3, Path home) {
        EarlyStorage claimed;
        synchronized (this) {
            if (storage == null || !storage.properties().equals(s3) || !storage.home().equals(home)) {
                return Optional.empty();
            }
            claimed = storage;
            storage = null;
        }
        return Optional.of(join(claimed.holder()));
    }

    private synchronized void closeUnclaimed() {
        if (storage != null) {
            storage.holder().thenAccept(StorageConfiguration.EmbeddedS3Holder::close);
            storage = null;
        }
    }

    private static <T> CompletableFuture<T> onThread(String name, Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            thread.start();
        });
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
