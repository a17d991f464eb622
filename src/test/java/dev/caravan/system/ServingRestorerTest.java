package dev.caravan.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.serving.ServingBackend;
import dev.caravan.storage.S3Location;

class ServingRestorerTest {

    private final ModelRegistry registry = mock(ModelRegistry.class);
    private final ServingBackend serving = mock(ServingBackend.class);
    private final ModelVersion mnist3 = serving("mnist", 3);
    private final ModelVersion fashion1 = serving("fashion", 1);

    @Test
    void servesAgainOnlyTheModelsNothingServes() {
        // given: after a restart, nothing serves mnist; fashion's Deployment serves version 2, being promoted by
        // another replica while the registry still names version 1
        given(registry.servingVersions()).willReturn(List.of(mnist3, fashion1));
        given(serving.servingVersion("mnist")).willReturn(OptionalLong.empty());
        given(serving.servingVersion("fashion")).willReturn(OptionalLong.of(2));

        // when
        new ServingRestorer(registry, serving).run(null);

        // then
        then(serving).should().serve("mnist", 3, mnist3.export());
        then(serving).should(never()).serve("fashion", 1, fashion1.export());
    }

    @Test
    void theRestoreBeginsWithTheContextAndCaravanIsReadyOnlyOnceItEnded() throws Exception {
        // given: loading mnist's version holds until released
        given(registry.servingVersions()).willReturn(List.of(mnist3));
        given(serving.servingVersion("mnist")).willReturn(OptionalLong.empty());
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        willAnswer(invocation -> {
            loading.countDown();
            return release.await(10, TimeUnit.SECONDS);
        }).given(serving).serve("mnist", 3, mnist3.export());
        ServingRestorer restorer = new ServingRestorer(registry, serving);

        // when: every bean exists, then the runners (readiness follows them) run
        restorer.afterSingletonsInstantiated();
        assertThat(loading.await(10, TimeUnit.SECONDS)).as("the restore began before the runners").isTrue();
        CompletableFuture<Void> runner = CompletableFuture.runAsync(() -> restorer.run(null));

        // then: the runner returns only once the version is loaded
        assertThat(runner).isNotDone();
        release.countDown();
        runner.get(10, TimeUnit.SECONDS);
        then(serving).should().serve("mnist", 3, mnist3.export());
    }

    private static ModelVersion serving(String model, long version) {
        return new ModelVersion(model, version, model + "-aaaaaaaaaa", "snapshot", S3Location.parse("s3://tfmnist/models/"
                + model + "/" + version + "/"), 0.99, ModelVersion.State.SERVING, null, Instant.EPOCH, Instant.EPOCH, null);
    }
}
