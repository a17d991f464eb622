package dev.caravan.system;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 */
@Component
class ServingRestorer implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ServingRestorer.class);

    private final ModelRegistry registry;
    private final ServingBackend serving;

    ServingRestorer(ModelRegistry registry, ServingBackend serving) {
        this.registry = registry;
        this.serving = serving;
    }

    @Override
    public void run(ApplicationArguments args) {
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
