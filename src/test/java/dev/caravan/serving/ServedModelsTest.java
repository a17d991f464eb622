package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import com.google.protobuf.Int64Value;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.testutil.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference counting that lets a request finish on the version it started on. */
class ServedModelsTest {

    @TempDir
    static Path work;
    static Path modelDir;

    @BeforeAll
    static void export() {
        modelDir = TestModels.exportMnist(work.resolve("export"));
    }

    @Test
    void aRequestFinishesOnItsVersionWhichClosesAfterIt() {
        try (ServedModels models = new ServedModels()) {
            models.promote("mnist", 1, () -> LoadedModel.load("mnist", 1, modelDir));
            ServedModels.Lease running = models.acquire(latest());
            LoadedModel first = running.model();

            models.promote("mnist", 2, () -> LoadedModel.load("mnist", 2, modelDir));

            assertThat(first.closed()).as("version 1 while a request runs on it").isNotDone();
            try (ServedModels.Lease next = models.acquire(latest())) {
                assertThat(next.model().version()).isEqualTo(2);
            }
            running.close();
            assertThat(first.closed()).as("version 1 after its last request").isDone();
            assertThat(first.retain()).as("a closed version takes no more requests").isFalse();
        }
    }

    @Test
    void anIdleVersionClosesAsSoonAsItIsReplaced() {
        try (ServedModels models = new ServedModels()) {
            models.promote("mnist", 1, () -> LoadedModel.load("mnist", 1, modelDir));
            LoadedModel first;
            try (ServedModels.Lease lease = models.acquire(latest())) {
                first = lease.model();
            }

            models.promote("mnist", 2, () -> LoadedModel.load("mnist", 2, modelDir));

            assertThat(first.closed()).isDone();
        }
    }

    @Test
    void servesOnlyTheVersionAskedFor() {
        try (ServedModels models = new ServedModels()) {
            models.promote("mnist", 4, () -> LoadedModel.load("mnist", 4, modelDir));

            try (ServedModels.Lease lease = models.acquire(latest().toBuilder().setVersion(Int64Value.of(4)).build())) {
                assertThat(lease.model().version()).isEqualTo(4);
            }
            assertThatThrownBy(() -> models.acquire(latest().toBuilder().setVersion(Int64Value.of(3)).build()))
                    .isInstanceOfSatisfying(ServingError.class, e -> assertThat(e.httpStatus()).isEqualTo(404))
                    .hasMessage("Servable not found for request: Specific(mnist, 3)");
        }
    }

    private static ModelSpec latest() {
        return ModelSpec.newBuilder().setName("mnist").build();
    }
}
