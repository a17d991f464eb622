package dev.caravan.bench.faults;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.pipeline.RunLayout;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.serving.testutil.TestModels;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanInstance;

/**
 * The versions of the mnist model a scenario switches between, recorded in Caravan's registry and uploaded where a
 * run puts them ({@code s3://<bucket>/models/mnist/<version>/}), as if runs had trained them: good ones, which
 * answer the smoke-test digits right, and, one per call of {@link #addWrong()}, versions that answer them wrong.
 */
final class ModelVersions {

    static final String MODEL = "mnist";

    private final ModelRegistry registry;
    private final ObjectStore store;
    private final S3Location base;
    private final Path goodExport;
    private final Path wrongExport;
    private final List<Long> good = new ArrayList<>();
    private int runs;

    private ModelVersions(CaravanInstance caravan, Path work) {
        this.registry = caravan.bean(ModelRegistry.class);
        this.store = caravan.store();
        this.base = caravan.bean(RunLayout.class).modelBase(caravan.bean(PipelineCatalog.class).resolve(MODEL));
        // Both answer at the same cost, so latencies during switches compare with those at rest.
        this.goodExport = TestModels.exportMnist(work.resolve("good"));
        this.wrongExport = TestModels.exportMnistAnsweringWrong(work.resolve("wrong"));
    }

    /** Records {@code count} good versions in {@code caravan}, exported below {@code work}. */
    static ModelVersions create(CaravanInstance caravan, Path work, int count) {
        ModelVersions versions = new ModelVersions(caravan, work);
        for (int i = 0; i < count; i++) {
            versions.good.add(versions.add(versions.goodExport));
        }
        return versions;
    }

    /** The good versions, oldest first. */
    List<Long> good() {
        return List.copyOf(good);
    }

    /** Records a new version, as a run whose model came out wrong would, and returns its number. */
    long addWrong() {
        return add(wrongExport);
    }

    private long add(Path export) {
        String run = String.format("%s-switches%04d", MODEL, ++runs);
        long version = registry.reserve(MODEL, run, "switches", 0, v -> base.resolve(v + "/")).version();
        store.uploadDirectory(export, registry.find(MODEL, version).orElseThrow().export(), "saved_model.pb");
        return version;
    }
}
