package dev.caravan.testutil;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunEvent;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.RunQueries;
import dev.caravan.pipeline.RunView;
import dev.caravan.pipeline.StepView;
import dev.caravan.serving.ServingBackend;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.FaultyS3Proxy.Fault;
import dev.caravan.testutil.FaultyS3Proxy.Request;

/**
 * A Caravan whose S3 (an embedded server of the test's own) is reached only through a {@link FaultyS3Proxy}, with
 * MNIST uploaded and a first version serving. Each {@link #run} is a new run (trainSteps 21, 22, ...) with a fault
 * switched on as one step starts; a failed run is retried once the proxy heals. The gate and smoke test are opened
 * wide, so that every run that gets through promotes.
 */
public final class S3FaultRig implements AutoCloseable {

    public static final String MODEL = "mnist";
    /** GetObject of the data snapshots: validation, the trainer, evaluation and the smoke test read these. */
    public static final Predicate<Request> DATA_READS = FaultyS3Proxy.Match.of("GET", "/tfmnist/snapshots/mnist/");
    /** GetObject of a model version's export: what promotion downloads to serve. */
    public static final Predicate<Request> EXPORT_READS = FaultyS3Proxy.Match.of("GET", "/tfmnist/models/");

    private static final String ACCESS_KEY = "AKIDS3FAULTS";
    private static final String SECRET_KEY = "s3-faults-secret-key";

    private final EmbeddedS3 s3;
    private final FaultyS3Proxy proxy;
    private final CaravanInstance caravan;
    private final AtomicInteger trainSteps = new AtomicInteger(20);

    private S3FaultRig(EmbeddedS3 s3, FaultyS3Proxy proxy, CaravanInstance caravan) {
        this.s3 = s3;
        this.proxy = proxy;
        this.caravan = caravan;
    }

    /** What one faulted run did, and its retry; {@code servingBefore} is the version served before the run. */
    public record Outcome(String run, String status, String failedStep, String message, int attempts,
                          OptionalLong servingBefore, OptionalLong servingAfterFailure, String retryStatus,
                          Duration took) {

        public boolean servingUnchanged() {
            return servingBefore.isPresent() && servingBefore.equals(servingAfterFailure);
        }

        /** Whether the failed step's message names {@code endpoint} and {@code operation} with an s3:// location. */
        public boolean names(URI endpoint, String operation) {
            return message.contains(endpoint.toString()) && message.contains(operation + " s3://");
        }
    }

    /** Starts S3, the proxy and Caravan on {@code home}, and completes a first run so that a version serves. */
    public static S3FaultRig start(Path home, int maxAttempts, String... properties) throws IOException {
        EmbeddedS3 s3 = EmbeddedS3.start(home.resolve("s3-behind-proxy"), "127.0.0.1", 0, ACCESS_KEY, SECRET_KEY);
        try (ObjectStore direct = ObjectStore.connect(s3.settings())) {
            direct.createBucketIfMissing("tfmnist");
            MnistUploads.uploadAll(direct, S3Location.parse("s3://tfmnist/data/mnist/"));
        }
        FaultyS3Proxy proxy = FaultyS3Proxy.start(s3.settings().endpoint());
        String[] settings = concat(new String[] {"--caravan.s3.endpoint=" + proxy.endpoint(),
                "--caravan.s3.access-key-id=" + ACCESS_KEY, "--caravan.s3.secret-access-key=" + SECRET_KEY,
                "--caravan.s3.max-attempts=" + maxAttempts, "--caravan.pipelines.mnist.gate.min=0",
                "--caravan.pipelines.mnist.gate.tolerance=1", "--caravan.pipelines.mnist.smokeTest.minCorrect=0"},
                properties);
        S3FaultRig rig = new S3FaultRig(s3, proxy, CaravanInstance.start(home, settings));
        String first = rig.operations().submit(MODEL, Map.of(), "s3-faults").run();
        Run done = rig.awaitEnd(first, null);
        if (!"COMPLETED".equals(done.status())) {
            rig.close();
            throw new IllegalStateException("the first run, without faults, ended " + done.status() + ": " + done.message());
        }
        return rig;
    }

    public FaultyS3Proxy proxy() {
        return proxy;
    }

    /** The S3 endpoint Caravan and its trainers were given: the proxy's. */
    public URI endpoint() {
        return proxy.endpoint();
    }

    public CaravanInstance caravan() {
        return caravan;
    }

    /**
     * A new run with {@code fault} on the requests {@code match} selects, from the start of {@code step} on, at most
     * {@code times} requests; the proxy heals when the run ends, and a failed run is retried.
     */
    public Outcome run(String step, Fault fault, Predicate<Request> match, int times) {
        OptionalLong before = servingVersion();
        long[] injectedAt = {0};
        caravan.events().react(event -> {
            if (event instanceof RunEvent.StepStarted started && started.step().equals(step)) {
                proxy.inject(fault, match, times);
                injectedAt[0] = System.nanoTime();
            }
        });
        String name = operations().submit(MODEL, Map.of("trainSteps", Integer.toString(trainSteps.incrementAndGet())),
                "s3-faults").run();
        Run ended = awaitEnd(name, null);
        Duration took = Duration.ofNanos(System.nanoTime() - injectedAt[0]);
        caravan.events().react(event -> { });
        int attempts = proxy.faulted();
        proxy.heal();
        OptionalLong after = servingVersion();
        RunView view = caravan.bean(RunQueries.class).get(name).orElseThrow();
        StepView failed = view.steps().stream().filter(s -> "FAILED".equals(s.status())).findFirst().orElse(null);
        String retryStatus = "-";
        if (!"COMPLETED".equals(ended.status())) {
            operations().retry(name);
            retryStatus = awaitEnd(name, ended.jobExecutionId()).status();
        }
        return new Outcome(name, ended.status(), failed == null ? "-" : failed.name(),
                failed == null ? ended.message() : failed.message(), attempts, before, after, retryStatus, took);
    }

    public OptionalLong servingVersion() {
        return caravan.bean(ServingBackend.class).servingVersion(MODEL);
    }

    @Override
    public void close() {
        caravan.close();
        try {
            proxy.close();
        } catch (IOException ignored) {
            // the test is over
        }
        s3.close();
    }

    private RunOperations operations() {
        return caravan.bean(RunOperations.class);
    }

    /**
     * The run once it has ended in an execution other than {@code previousExecution}. A plain poll, not Awaitility:
     * {@code bench/faults.sh} runs this on the runtime class path, which holds no test libraries.
     */
    private Run awaitEnd(String name, Long previousExecution) {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            Run run = caravan.runs().stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
            if (run != null && run.endedAt() != null && !Objects.equals(run.jobExecutionId(), previousExecution)) {
                return run;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for run " + name, e);
            }
        }
        throw new IllegalStateException("run " + name + " did not end within 5 minutes");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
