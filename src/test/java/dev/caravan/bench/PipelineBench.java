package dev.caravan.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.util.FileSystemUtils;

import dev.caravan.CaravanApplication;
import dev.caravan.pipeline.RunEvent;
import dev.caravan.pipeline.RunQueries;
import dev.caravan.pipeline.RunView;
import dev.caravan.pipeline.StepView;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/**
 * The demo's pipeline, timed on one server through several runs: start-up, then per run the trigger latency
 * (marker upload to job start), each step, and the orchestration overhead = (end-to-end - training) / end-to-end.
 * Each run uploads the MNIST files again with a round number beside them, so it is a new snapshot that is frozen,
 * validated, trained, evaluated, promoted and smoke-tested in full. The first run after start pays the JVM's one-time
 * costs (classes loaded and compiled for the first time); the runs after it are what a server that keeps retraining
 * sees. {@code --runs=N} (default 3) sets how many; other arguments are settings
 * ({@code --caravan.pipelines.mnist.trainer.parameters.trainSteps=2000}). Prints figures; asserts nothing.
 */
public final class PipelineBench {

    private static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
    private static final double TARGET = 10;

    private PipelineBench() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("caravan-bench-");
        int runs = 3;
        List<String> settings = new ArrayList<>(List.of("--caravan.home=" + home, "--logging.threshold.console=WARN",
                "--server.port=0", "--caravan.s3.embedded.port=0", "--caravan.serving.grpc-port=0",
                "--caravan.serving.rest-port=0"));
        for (String arg : args) {
            if (arg.startsWith("--runs=")) {
                runs = Integer.parseInt(arg.substring("--runs=".length()));
            } else {
                settings.add(arg);
            }
        }
        long start = System.nanoTime();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CaravanApplication.class)
                .run(settings.toArray(String[]::new))) {
            double startup = seconds(start);
            BlockingQueue<Timed> events = new LinkedBlockingQueue<>();
            context.addApplicationListener(event -> {
                if (event instanceof PayloadApplicationEvent<?> payload && payload.getPayload() instanceof RunEvent run) {
                    events.add(new Timed(System.nanoTime(), run));
                }
            });
            Duration poll = context.getEnvironment().getProperty("caravan.trigger.poll-interval", Duration.class);
            PipelineDefinition mnist = context.getBean(PipelineCatalog.class).resolve("mnist");
            ObjectStore store = context.getBean(ObjectStore.class);
            S3Location prefix = mnist.dataLocation();
            List<Measured> measured = new ArrayList<>();
            if (Boolean.getBoolean("warmseda")) {
                context.getBean(org.apache.camel.ProducerTemplate.class).sendBody("seda:embedded-s3-events", new S3Location("tfmnist", "nothing"));
                Thread.sleep(1000);
            }
            for (int round = 1; round <= runs; round++) {
                for (String file : FILES) {
                    store.put(prefix.resolve(file), Path.of("data/mnist", file));
                }
                store.put(prefix.resolve("round"), String.valueOf(round).getBytes(StandardCharsets.UTF_8));
                store.put(prefix.resolve(mnist.source().marker()), new byte[0]);
                long marker = System.nanoTime();
                Timed started = next(events, RunEvent.RunStarted.class);
                Timed finished = next(events, RunEvent.RunFinished.class);
                RunView view = context.getBean(RunQueries.class).get(finished.event().run()).orElseThrow();
                double accuracy = context.getBean(ModelRegistry.class).byRun(view.run().name())
                        .map(ModelVersion::accuracy).orElse(Double.NaN);
                measured.add(new Measured(marker, started, finished, view, accuracy));
            }
            report(startup, poll, mnist, measured);
        } finally {
            FileSystemUtils.deleteRecursively(home);
        }
    }

    private static void report(double startup, Duration poll, PipelineDefinition mnist, List<Measured> runs) {
        out("Caravan pipeline benchmark (%d cores, steps=%s, batch=%s, poll interval %s; %d runs on one server)",
                Runtime.getRuntime().availableProcessors(), mnist.trainer().parameters().get("trainSteps"),
                mnist.trainer().parameters().get("batchSize"), poll, runs.size());
        out("  start-up                  %7.2f s", startup);
        StringBuilder header = new StringBuilder("                           ");
        for (int i = 1; i <= runs.size(); i++) {
            header.append(String.format(Locale.ROOT, "  run %-3d", i));
        }
        out("%s", header);
        row("trigger latency (s)", runs, Measured::trigger, "%7.2f");
        for (StepView step : runs.get(0).view().steps()) {
            row("step " + step.name() + " (s)", runs, m -> m.step(step.name()), "%7.2f");
        }
        row("end-to-end (s)", runs, Measured::endToEnd, "%7.2f");
        row("training, train step (s)", runs, Measured::training, "%7.2f");
        row("overhead (%)", runs, Measured::overhead, "%7.1f");
        row("test accuracy", runs, Measured::accuracy, "%7.4f");
        out("  outcome                   %s", String.join(" ", runs.stream()
                .map(m -> m.view().run().status() + "/" + m.view().run().outcome()).toList()));
        out("  end-to-end = marker upload -> run finished; overhead = (end-to-end - training) / end-to-end");
        out("  orchestration overhead, first run after start: %.1f %% (target <= %.0f %%, ratio %.2f)",
                runs.get(0).overhead(), TARGET, runs.get(0).overhead() / TARGET);
        if (runs.size() > 1) {
            double[] later = runs.subList(1, runs.size()).stream().mapToDouble(Measured::overhead).sorted().toArray();
            double median = later.length % 2 == 1 ? later[later.length / 2]
                    : (later[later.length / 2 - 1] + later[later.length / 2]) / 2;
            out("  orchestration overhead, runs 2 to %d (median):  %.1f %% (target <= %.0f %%, ratio %.2f)",
                    runs.size(), median, TARGET, median / TARGET);
        }
    }

    private static void row(String name, List<Measured> runs, ToDoubleFunction<Measured> figure, String format) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-25s", name));
        for (Measured run : runs) {
            line.append(' ').append(String.format(Locale.ROOT, format, figure.applyAsDouble(run)));
        }
        out("%s", line);
    }

    private static Timed next(BlockingQueue<Timed> events, Class<? extends RunEvent> type) throws InterruptedException {
        while (true) {
            Timed timed = events.poll(30, TimeUnit.MINUTES);
            if (timed == null) {
                throw new IllegalStateException("no " + type.getSimpleName() + " within 30 minutes");
            }
            if (type.isInstance(timed.event())) {
                return timed;
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    private record Timed(long nanos, RunEvent event) {
    }

    private record Measured(long marker, Timed started, Timed finished, RunView view, double accuracy) {

        double trigger() {
            return (started.nanos() - marker) / 1e9;
        }

        double endToEnd() {
            return (finished.nanos() - marker) / 1e9;
        }

        double step(String name) {
            return view.steps().stream().filter(s -> s.name().equals(name))
                    .mapToDouble(s -> s.duration().toMillis() / 1000.0).sum();
        }

        double training() {
            return step("train");
        }

        double overhead() {
            return 100 * (endToEnd() - training()) / endToEnd();
        }
    }
}
