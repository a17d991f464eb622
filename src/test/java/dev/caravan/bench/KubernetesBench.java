package dev.caravan.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.springframework.util.FileSystemUtils;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.kubernetes.testutil.KubernetesCaravan;
import dev.caravan.kubernetes.testutil.KubernetesFixtures;
import dev.caravan.kubernetes.testutil.MockCluster;
import dev.caravan.kubernetes.testutil.ServingPods;
import dev.caravan.kubernetes.testutil.TrainerPods;
import dev.caravan.kubernetes.testutil.TrainingOperator;
import dev.caravan.pipeline.RetrainLauncher;
import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunQueries;
import dev.caravan.pipeline.RunStore;
import dev.caravan.pipeline.StepView;
import dev.caravan.serving.LocalServingBackend;
import dev.caravan.serving.ModelServerSettings;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.snapshot.SnapshotStore;

/**
 * The kubernetes runtime's own latency on the fabric8 mock API server, with the test operator and serving stand-ins:
 * from a run's job start to its TFJob being created, and from the TFJob's Succeeded condition to the serving
 * Deployment naming the new version. Target: 1 s each. One warm-up run trains for real; the timed runs get a copy of
 * its export, so training time is not in the figures. Usage: {@code KubernetesBench [runs]}. Prints; asserts nothing.
 */
public final class KubernetesBench {

    private static final Duration TARGET = Duration.ofSeconds(1);
    private static final String NS = KubernetesFixtures.NAMESPACE;

    private KubernetesBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path home = Files.createTempDirectory("caravan-kubernetes-bench-");
        S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
        try (MockCluster cluster = MockCluster.start();
             EmbeddedS3 s3 = KubernetesCaravan.startS3(home.resolve("s3"));
             ObjectStore store = ObjectStore.connect(s3.settings());
             LocalServingBackend modelServer = new LocalServingBackend(store, home.resolve("serving-pods"),
                     ModelServerSettings.anyFreePorts())) {
            cluster.s3Secret(NS, KubernetesCaravan.ACCESS_KEY_ID, KubernetesCaravan.SECRET_ACCESS_KEY)
                    .caravanPod(NS, KubernetesCaravan.POD);
            store.createBucketIfMissing(data.bucket());
            for (String file : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
                store.put(data.resolve(file), Path.of("data", "mnist", file));
            }
            modelServer.start();
            try (ServingPods servingPods = new ServingPods(cluster.client(), NS, modelServer);
                 TrainingOperator operator = new TrainingOperator(cluster.client(), NS)
                         .succeeding(new TrainerPods(cluster.client(), NS, home.resolve("trainer-pods")).reusingAnyExport());
                 KubernetesCaravan caravan = KubernetesCaravan.start(home.resolve("caravan"), s3.settings(), cluster,
                         servingPods.access(), "--logging.threshold.console=WARN", "--caravan.pipelines.mnist.gate.min=0.85")) {
                String snapshot = caravan.bean(SnapshotStore.class)
                        .freeze(caravan.bean(PipelineCatalog.class).resolve("mnist")).hash();
                Bench bench = new Bench(caravan, operator, servingPods, snapshot);
                Timing warmUp = bench.run(Map.of());
                System.out.printf(Locale.ROOT, "warm-up run %s (a real training of 150 steps): %s%n", warmUp.run().name(),
                        warmUp.run().outcome());
                List<Timing> timings = new ArrayList<>();
                for (int i = 1; i <= runs; i++) {
                    timings.add(bench.run(Map.of("learningRate", Double.toString(0.001 + i * 1e-6))));
                }
                report(timings);
            }
        } finally {
            FileSystemUtils.deleteRecursively(home.toFile());
        }
        System.exit(0);
    }

    /** Runs one retrain and reads its times off the run, the operator and the serving stand-in. */
    private record Bench(KubernetesCaravan caravan, TrainingOperator operator, ServingPods servingPods,
                         String snapshot) {

        Timing run(Map<String, String> settings) {
            caravan.bean(RetrainLauncher.class).launch("mnist", snapshot, settings);
            String name = RetrainLauncher.runName("mnist", snapshot, settings);
            Run run = caravan.bean(RunStore.class).find(name).orElseThrow();
            if (!"PROMOTED".equals(run.outcome())) {
                throw new IllegalStateException("run " + name + " ended " + run.outcome() + ": " + run.message());
            }
            List<StepView> steps = caravan.bean(RunQueries.class).get(name).orElseThrow().steps();
            return new Timing(run, steps,
                    Duration.between(run.startedAt(), operator.createdAt(name).orElseThrow()),
                    Duration.between(operator.succeededAt(name).orElseThrow(),
                            servingPods.firstSeen(run.modelVersion()).orElseThrow()));
        }
    }

    private record Timing(Run run, List<StepView> steps, Duration toTfJob, Duration toDeployment) {

        Duration step(String name) {
            return steps.stream().filter(s -> s.name().equals(name)).map(StepView::duration).findFirst()
                    .orElse(Duration.ZERO);
        }
    }

    private static void report(List<Timing> timings) {
        System.out.printf(Locale.ROOT, "%n%-18s %28s %38s%n", "run", "job start -> TFJob created",
                "TFJob Succeeded -> Deployment updated");
        for (Timing t : timings) {
            System.out.printf(Locale.ROOT, "%-18s %26.3f s %36.3f s%n", t.run().name(), seconds(t.toTfJob()),
                    seconds(t.toDeployment()));
        }
        System.out.printf(Locale.ROOT, "%-18s %26.3f s %36.3f s%n", "median", median(timings, Timing::toTfJob),
                median(timings, Timing::toDeployment));
        System.out.printf(Locale.ROOT, "%-18s %26.3f s %36.3f s%n", "max", max(timings, Timing::toTfJob),
                max(timings, Timing::toDeployment));
        System.out.printf(Locale.ROOT, "%-18s %26.2f x %36.2f x%n", "median / target", median(timings, Timing::toTfJob)
                / seconds(TARGET), median(timings, Timing::toDeployment) / seconds(TARGET));
        System.out.printf(Locale.ROOT, "%-18s %26.2f x %36.2f x%n", "max / target", max(timings, Timing::toTfJob)
                / seconds(TARGET), max(timings, Timing::toDeployment) / seconds(TARGET));
        System.out.printf(Locale.ROOT, "%nwhere the time goes (median): before the TFJob: prepare %.3f s, validateData"
                        + " %.3f s, tensorboard %.3f s;%n  after it succeeded: evaluate %.3f s (the step between train"
                        + " and promote: the new model on the snapshot's 10,000 test images, in Caravan)%n",
                median(timings, t -> t.step("prepare")), median(timings, t -> t.step("validateData")),
                median(timings, t -> t.step("tensorboard")), median(timings, t -> t.step("evaluate")));
        System.out.printf(Locale.ROOT, "TFJob Succeeded -> Deployment updated without the evaluate step: median %.3f s,"
                        + " max %.3f s%n", median(timings, t -> t.toDeployment().minus(t.step("evaluate"))),
                max(timings, t -> t.toDeployment().minus(t.step("evaluate"))));
    }

    private static double median(List<Timing> timings, Function<Timing, Duration> figure) {
        List<Duration> sorted = timings.stream().map(figure).sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? seconds(sorted.get(n / 2)) : (seconds(sorted.get(n / 2 - 1)) + seconds(sorted.get(n / 2))) / 2;
    }

    private static double max(List<Timing> timings, Function<Timing, Duration> figure) {
        return seconds(timings.stream().map(figure).max(Comparator.naturalOrder()).orElse(Duration.ZERO));
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
