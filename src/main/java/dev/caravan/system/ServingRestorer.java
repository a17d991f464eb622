package dev.caravan.system;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.serving.ServingBackend;

/**
 * At start, serves again every version the registry says was serving and nothing serves now, so a restart keeps
 * models answering. A model something serves already is left alone: on Kubernetes its Deployment outlives Caravan,
 * and another replica may be promoting a newer version into it.
 *
 * <p>The restore begins as soon as the registry and the model server exist, while the routes and the web server
 * start; Caravan is ready only once it has ended, so readiness never precedes the restored versions.
 */
@Component
class ServingRestorer implements SmartInitializingSingleton, ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ServingRestorer.class);

    private final ModelRegistry registry;
    private final ServingBackend serving;
    private CompletableFuture<Void> restoring;

    ServingRestorer(ModelRegistry registry, ServingBackend serving) {
        this.registry = registry;
        this.serving = serving;
    }

    /** Every bean exists: the restore begins on a thread of its own. */
    @Override
    public synchronized void afterSingletonsInstantiated() {
        if (restoring == null) {
            restoring = CompletableFuture.runAsync(this::restoreAll, runnable -> {
                Thread thread = new Thread(runnable, "caravan-restore-serving");
                thread.setDaemon(true);
                thread.start();
            });
        }
    }

    /** Waits for the restore (or runs it, when it was not begun), before Caravan reports itself ready. */
    @Override
    public void run(ApplicationArguments args) {
        CompletableFuture<Void> begun;
        synchronized (this) {
            begun = restoring;
            if (begun == null) {
                restoring = CompletableFuture.completedFuture(null);
            }
        }
        if (begun == null) {
            restoreAll();
            return;
        }
        try {
            begun.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private void restoreAll() {
        for (ModelVersion version : registry.servingVersions()) {
            try {
                if (serving.servingVersion(version.model()).isPresent()) {
                    continue;
                }
                serving.serve(version.model(), version.version(), version.export());
                log.info("Serving {} version {} again from {}", version.model(), version.version(), version.export());
            } catch (RuntimeException e) {
                log.error("Cannot serve {} version {} again from {}: {}; promote another version or run a retrain",
                        version.model(), version.version(), version.export(), e.getMessage());
            }
        }
    }
}
