package dev.caravan.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.caravan.Caravan;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;

/**
 * Caravan killed with SIGKILL while it trains: at the next start it finds the interrupted run, resumes it from the
 * train step, adopts the trainer process that kept running, and completes the run with one training; the run that
 * waited behind it runs next.
 */
class CrashRecoveryTest {

    @Test
    void aRunInterruptedByKillMinus9IsResumedAndTrainsOnce() throws Exception {
        Path home = CaravanTestProperties.newHome();
        int s3Port = freePort();
        List<String> settings = List.of("--caravan.s3.embedded.port=" + s3Port, "--caravan.pipelines.mnist.trainer.parameters.trainSteps=400",
                "--caravan.pipelines.mnist.trainer.parameters.batchSize=50", "--caravan.pipelines.mnist.gate.min=0.8");
        Process first = startInItsOwnJvm(home, freePort(), settings);
        try {
            // given: a run whose trainer reports progress
            S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
            try (ObjectStore store = awaitS3(home, s3Port)) {
                MnistUploads.uploadAll(store, data);
                MnistUploads.marker(store, data);
            }
            Path trainerLog = await().atMost(Duration.ofMinutes(2)).until(() -> trainerLog(home), log -> log != null
                    && contains(log, "CARAVAN_PROGRESS"));

            // when: Caravan dies at once, and starts again on the same home
            first.destroyForcibly().waitFor();
            try (CaravanInstance again = CaravanInstance.start(home, settings.toArray(String[]::new))) {

                // then: the run completes, with the same trainer process and no second training
                Run run = again.awaitEndedRuns(1).get(0);
                assertThat(run.status()).as(run.message()).isEqualTo("COMPLETED");
                assertThat(run.outcome()).isEqualTo("PROMOTED");
                assertThat(Files.readAllLines(trainerLog).stream().filter(line -> line.startsWith("===")).count())
                        .as("trainer starts in " + trainerLog).isEqualTo(1);
                RunView view = again.bean(RunQueries.class).get(run.name()).orElseThrow();
                assertThat(view.steps()).extracting(StepView::status).containsOnly("COMPLETED");
            }
        } finally {
            first.destroyForcibly();
        }
    }

    @Test
    void aRunWaitingBehindTheTrainingWhenCaravanIsKilledRunsAfterItOnTheNewerData() throws Exception {
        Path home = CaravanTestProperties.newHome();
        int s3Port = freePort();
        int httpPort = freePort();
        List<String> settings = List.of("--caravan.s3.embedded.port=" + s3Port, "--caravan.pipelines.mnist.trainer.parameters.trainSteps=300",
                "--caravan.pipelines.mnist.trainer.parameters.batchSize=50", "--caravan.pipelines.mnist.gate.min=0.8");
        Process first = startInItsOwnJvm(home, httpPort, settings);
        S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
        try (ObjectStore store = awaitS3(home, s3Port)) {
            // given: upload A trains, and upload B, complete while A trains, waits behind it
            MnistUploads.uploadAll(store, data);
            MnistUploads.marker(store, data);
            await().atMost(Duration.ofMinutes(2)).until(() -> trainerLog(home), log -> log != null
                    && contains(log, "CARAVAN_PROGRESS"));
            store.put(data.resolve("second-drop.txt"), "upload B".getBytes());
            MnistUploads.marker(store, data);
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> queuedRuns(httpPort), runs -> runs.contains("\"mnist-"));

            // when: Caravan dies at once, and starts again on the same home
            first.destroyForcibly().waitFor();
            try (CaravanInstance again = CaravanInstance.start(home, settings.toArray(String[]::new))) {

                // then: A completes first, then B trains on the newer data and is the version that serves
                List<Run> ended = again.awaitEndedRuns(2);
                Run b = ended.get(0);
                Run a = ended.get(1);
                assertThat(a.outcome()).as(a.message()).isEqualTo("PROMOTED");
                assertThat(b.outcome()).as(b.message()).isEqualTo("PROMOTED");
                assertThat(b.startedAt()).isAfter(a.endedAt());
                assertThat(b.modelVersion()).isGreaterThan(a.modelVersion());
                assertThat(again.bean(dev.caravan.registry.ModelRegistry.class).serving("mnist").orElseThrow().version())
                        .isEqualTo(b.modelVersion());
            }
        } finally {
            first.destroyForcibly();
        }
    }

    private static String queuedRuns(int httpPort) throws IOException, InterruptedException {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/api/runs?status=QUEUED")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Process startInItsOwnJvm(Path home, int httpPort, List<String> settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", Caravan.class.getName(), "server", "--caravan.home=" + home, "--server.port=" + httpPort,
                "--caravan.serving.grpc-port=0", "--caravan.serving.rest-port=0", "--caravan.trigger.poll-interval=200ms",
                "--caravan.training.jvm-options=-Xmx768m -XX:+UseSerialGC"));
        command.addAll(settings);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve("first-caravan.out").toFile());
        // The class path goes by environment: the command line of a process is read back only up to 4 KB.
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        return builder.start();
    }

    private static ObjectStore awaitS3(Path home, int port) {
        Path credentials = home.resolve("s3-credentials.properties");
        await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(credentials) && listening(port));
        Properties stored = new Properties();
        try (Reader reader = Files.newBufferedReader(credentials)) {
            stored.load(reader);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ObjectStore store = ObjectStore.connect(new S3Settings(URI.create("http://127.0.0.1:" + port), "us-east-1",
                stored.getProperty("aws_access_key_id"), stored.getProperty("aws_secret_access_key"), false));
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> {
            store.list(S3Location.parse("s3://tfmnist/"));
            return true;
        });
        return store;
    }

    private static Path trainerLog(Path home) throws IOException {
        Path runs = home.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return null;
        }
        try (Stream<Path> logs = Files.walk(runs)) {
            return logs.filter(p -> p.getFileName().toString().equals("trainer.log")).findFirst().orElse(null);
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.readString(file).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
