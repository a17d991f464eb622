package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.caravan.serving.api.GetModelStatusRequest;
import dev.caravan.serving.api.ModelServiceGrpc;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.ModelVersionStatus;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.PredictionServiceGrpc;
import dev.caravan.serving.testutil.MnistData;
import dev.caravan.serving.testutil.TestServer;
import dev.caravan.serving.testutil.Tensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Promotions while clients keep predicting: nobody sees a failure, and a broken version never replaces a good one. */
class VersionSwapTest {

    private static final int CLIENTS = 4;

    @TempDir
    Path work;
    TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(work);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void swapsVersionsUnderLoadWithoutAFailedRequest() throws Exception {
        // given clients predicting continuously
        Map<Long, AtomicLong> answersByVersion = new ConcurrentHashMap<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            clients.execute(() -> predictUntilStopped(running, answersByVersion, failures));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> answered(answersByVersion, 1) >= 20);

        // when versions 2..5 are promoted one after the other, each while answers keep coming
        for (long version = 2; version <= 5; version++) {
            server.backend().serveDirectory(TestServer.MODEL, version, server.modelDir());
            long promoted = version;
            await().atMost(Duration.ofSeconds(20)).until(() -> answered(answersByVersion, promoted) >= 20);
        }
        running.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

        // then nothing failed, every version answered, and only the last one stays loaded
        assertThat(failures).isEmpty();
        assertThat(answersByVersion.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
        assertThat(server.backend().servingVersion(TestServer.MODEL)).hasValue(5);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(states())
                .containsEntry(5L, ModelVersionStatus.State.AVAILABLE)
                .containsEntry(1L, ModelVersionStatus.State.END)
                .containsEntry(4L, ModelVersionStatus.State.END));
    }

    @Test
    void aVersionThatFailsToLoadLeavesTheServedOneServing() throws Exception {
        Path broken = Files.createDirectories(work.resolve("broken"));
        Files.writeString(broken.resolve("saved_model.pb"), "not a SavedModel");

        assertThatThrownBy(() -> server.backend().serveDirectory(TestServer.MODEL, 2, broken))
                .isInstanceOf(ServingException.class)
                .hasMessageContaining("cannot load version 2 of model mnist from " + broken);

        assertThat(server.backend().servingVersion(TestServer.MODEL)).isEqualTo(OptionalLong.of(1));
        assertThat(predict().getModelSpec().getVersion().getValue()).isEqualTo(1);
        assertThat(states()).containsEntry(1L, ModelVersionStatus.State.AVAILABLE)
                .containsEntry(2L, ModelVersionStatus.State.END);
    }

    @Test
    void aFolderWithoutSavedModelIsRefusedWithTheReason() {
        assertThatThrownBy(() -> server.backend().serveDirectory(TestServer.MODEL, 3, work.resolve("empty")))
                .isInstanceOf(ServingException.class)
                .hasMessageContaining("holds no saved_model.pb");
        assertThat(server.backend().servingVersion(TestServer.MODEL)).hasValue(1);
    }

    private void predictUntilStopped(AtomicBoolean running, Map<Long, AtomicLong> answers, List<Throwable> failures) {
        while (running.get()) {
            try {
                long version = predict().getModelSpec().getVersion().getValue();
                answers.computeIfAbsent(version, v -> new AtomicLong()).incrementAndGet();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
    }

    private PredictResponse predict() {
        MnistData.Digits digits = MnistData.test(1);
        return PredictionServiceGrpc.newBlockingStub(server.channel()).predict(PredictRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName(TestServer.MODEL))
                .putInputs("x", Tensors.floatVal(digits.images()[0], 1, 28, 28)).build());
    }

    private static long answered(Map<Long, AtomicLong> answers, long version) {
        AtomicLong count = answers.get(version);
        return count == null ? 0 : count.get();
    }

    private Map<Long, ModelVersionStatus.State> states() {
        Map<Long, ModelVersionStatus.State> states = new ConcurrentHashMap<>();
        ModelServiceGrpc.newBlockingStub(server.channel()).getModelStatus(GetModelStatusRequest.newBuilder()
                        .setModelSpec(ModelSpec.newBuilder().setName(TestServer.MODEL)).build())
                .getModelVersionStatusList().forEach(status -> states.put(status.getVersion(), status.getState()));
        return states;
    }
}
