package dev.caravan.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import software.amazon.awssdk.services.s3.model.S3Object;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.MnistUploads;
import dev.caravan.testutil.TestS3;
import dev.caravan.training.LocalTrainingBackend;
import dev.caravan.training.TrainingRequest;

/**
 * One process beside parameter-server training (chief + 2 workers + 1 ps, synchronous and asynchronous), for the MLP
 * and the CNN, every replica a JVM on this machine: steps/s, examples/s and the bytes exchanged per step (loopback
 * traffic counted by the kernel, {@code /proc/net/dev}), then a model of the speed-up on N machines from the measured
 * compute time per step and the bytes a step moves. Every layout runs through the local runtime
 * ({@link LocalTrainingBackend}), as {@code -p workers=2} does. Prints figures; asserts nothing.
 * Usage: {@code DistributedBench [steps] [network Gbit/s]}.
 */
public final class DistributedBench {

    private static final S3Location DATA = S3Location.parse("s3://tfmnist/data/bench/");
    private static final int BATCH = 100;

    private DistributedBench() {
    }

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        double gbits = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        Path dir = Files.createTempDirectory("caravan-distributed-bench");
        try (TestS3 s3 = TestS3.start(dir.resolve("s3"), "tfmnist")) {
            MnistUploads.uploadAll(s3.store(), DATA);
            out("Parameter-server training on this machine (%d cores shared by every replica), %d steps of %d images",
                    Runtime.getRuntime().availableProcessors(), steps, BATCH);
            out("  %-10s %-24s %9s %11s %13s %14s %9s", "model", "layout", "steps/s", "examples/s", "vs 1 process",
                    "bytes/step", "accuracy");
            for (String model : List.of("mnist-mlp", "mnist-cnn")) {
                Side single = Side.run(s3, dir, model, steps, 0, true);
                Side sync = Side.run(s3, dir, model, steps, 2, true);
                Side async = Side.run(s3, dir, model, steps, 2, false);
                for (Side side : List.of(single, sync, async)) {
                    out("  %-10s %-24s %9.1f %11.0f %12.2fx %14s %9.4f", model, side.layout, side.stepsPerSecond(),
                            side.examplesPerSecond(), side.examplesPerSecond() / single.examplesPerSecond(),
                            side.workers == 0 ? "-" : mb(side.bytesPerStep()), side.accuracy);
                }
                scaling(model, single, weightBytes(s3, model), gbits);
            }
        }
    }

    /**
     * Synchronous training on N machines, one replica each: a step computes a batch ({@code c}, measured alone) and
     * moves the weights down and the gradients up ({@code 4P} bytes each way per task) through the worker's link and,
     * for all N tasks at once, through the parameter servers' links.
     */
    private static void scaling(String model, Side single, long weightBytes, double gbits) {
        double compute = 1 / single.stepsPerSecond();
        double bytesPerSecond = gbits * 1e9 / 8;
        out("  model of %s on N machines, synchronous, %.0f Gbit/s links: compute %.1f ms/step, %s of weights",
                model, gbits, compute * 1e3, mb(weightBytes));
        out("    %-4s %-4s %12s %12s %12s", "N", "ps", "transfer ms", "examples/s", "speed-up");
        for (int n : new int[] {1, 2, 3, 4, 8, 16}) {
            for (int ps : n > 4 ? new int[] {1, n / 4} : new int[] {1}) {
                double perLink = Math.max(weightBytes, (double) n * weightBytes / ps) / bytesPerSecond;
                double step = compute + 2 * perLink + 0.0002;
                double examples = n * BATCH / step;
                out("    %-4d %-4d %12.2f %12.0f %11.2fx", n, ps, 2 * perLink * 1e3, examples,
                        examples / single.examplesPerSecond());
            }
        }
    }

    /** The float32 weights' bytes: the size of the exported SavedModel's variables data. */
    private static long weightBytes(TestS3 s3, String model) {
        return s3.store().list(S3Location.parse("s3://tfmnist/models/" + model + "-single/1/variables/")).stream()
                .filter(o -> o.key().contains(".data-")).mapToLong(S3Object::size).sum();
    }

    private record Side(String layout, int workers, int globalSteps, double seconds, long loopbackBytes,
            double accuracy) {

        static Side run(TestS3 s3, Path dir, String model, int steps, int workers, boolean sync) throws Exception {
            String run = model + (workers == 0 ? "-single" : sync ? "-sync" : "-async");
            Map<String, String> parameters = Map.of("trainSteps", Integer.toString(steps),
                    "batchSize", Integer.toString(BATCH), "workers", Integer.toString(workers),
                    "syncReplicas", sync ? "1" : "0");
            LocalTrainingBackend backend = new LocalTrainingBackend(dir.resolve("runs"), s3.server().settings(),
                    LocalTrainingBackend.currentJava(), System.getProperty("java.class.path"), List.of(),
                    Map.of("TF_CPP_MIN_LOG_LEVEL", "2"));
            long before = loopbackReceived();
            backend.train(new TrainingRequest(run, DATA, S3Location.parse("s3://tfmnist/training/" + run + "/"),
                    S3Location.parse("s3://tfmnist/models/" + run + "/1/"), new PipelineDefinition.Trainer(model,
                            List.of(), null, parameters, Duration.ofMinutes(30)), parameters), progress -> { });
            long bytes = loopbackReceived() - before;
            String chief = Files.readString(dir.resolve("runs").resolve(run).resolve("trainer.log"));
            double accuracy = Double.parseDouble(find(chief, "test accuracy ([0-9.]+)"));
            if (workers == 0) {
                double seconds = Double.parseDouble(find(chief, "for \\d+ steps of \\d+ images in ([0-9.]+) s"));
                return new Side("1 process", 0, steps, seconds, bytes, accuracy);
            }
            double seconds = Double.parseDouble(find(chief, "chief ran \\d+ steps in ([0-9.]+) s"));
            int global = Integer.parseInt(find(chief, "chief global step (\\d+)"));
            return new Side((sync ? "sync" : "async") + " chief+" + workers + "w+1ps", workers, global, seconds, bytes,
                    accuracy);
        }

        private static String find(String log, String regex) {
            Matcher matcher = Pattern.compile(regex).matcher(log);
            if (!matcher.find()) {
                throw new IllegalStateException("no '" + regex + "' in the chief's log:\n" + log);
            }
            return matcher.group(1);
        }

        double stepsPerSecond() {
            return globalSteps / seconds;
        }

        /** Synchronous steps each take a batch from every task; asynchronous ones one batch. */
        double examplesPerSecond() {
            boolean sync = layout.startsWith("sync");
            return stepsPerSecond() * BATCH * (sync ? workers + 1 : 1);
        }

        /** Loopback bytes over the whole run (S3's data and uploads included) per global step. */
        double bytesPerStep() {
            return (double) loopbackBytes / globalSteps;
        }
    }

    /** Bytes received on the loopback interface so far ({@code /proc/net/dev}); 0 where there is none. */
    private static long loopbackReceived() throws IOException {
        Path dev = Path.of("/proc/net/dev");
        if (!Files.exists(dev)) {
            return 0;
        }
        return Files.readAllLines(dev).stream().map(String::trim).filter(line -> line.startsWith("lo:"))
                .mapToLong(line -> Long.parseLong(line.substring(3).trim().split("\\s+")[0])).sum();
    }

    private static String mb(double bytes) {
        return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
