package dev.caravan.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;

/**
 * The demo's pipeline, timed: start-up, trigger latency (marker upload to job start), each step, and the
 * orchestration overhead = (end-to-end - training) / end-to-end. Default settings unless arguments override them
 * ({@code --caravan.pipelines.mnist.trainer.parameters.trainSteps=2000}). Prints figures; asserts nothing.
 */
public final class PipelineBench {

    private static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    private PipelineBench() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("caravan-bench-");
        List<String> settings = new ArrayList<>(List.of("--caravan.home=" + home, "--logging.threshold.console=WARN",
                "--server.port=0", "--caravan.s3.embedded.port=0", "--caravan.serving.grpc-port=0",
                "--caravan.serving.rest-port=0"));
        settings.addAll(List.of(args));
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
            for (String file : FILES) {
                store.put(prefix.resolve(file), Path.of("data/mnist", file));
            }
            store.put(prefix.resolve(mnist.source().marker()), new byte[0]);
            long marker = System.nanoTime();
            Timed started = next(events, RunEvent.RunStarted.class);
            Timed finished = next(events, RunEvent.RunFinished.class);
            RunView view = context.getBean(RunQueries.class).get(finished.event().run()).orElseThrow();
            report(startup, poll, mnist, marker, started, finished, view, context.getBean(ModelRegistry.class));
        } finally {
            FileSystemUtils.deleteRecursively(home);
        }
    }

    private static void report(double startup, Duration poll, PipelineDefinition mnist, long marker,
                               Timed started, Timed finished,
                               RunView view, ModelRegistry registry) {
        double endToEnd = (finished.nanos() - marker) / 1e9;
        double trigger = (started.nanos() - marker) / 1e9;
        double training = view.steps().stream().filter(s -> s.name().equals("train"))
                .mapToDouble(s -> s.duration().toMillis() / 1000.0).sum();
        out("Caravan pipeline benchmark (%d cores, steps=%s, batch=%s, poll interval %s)",
                Runtime.getRuntime().availableProcessors(), mnist.trainer().parameters().get("trainSteps"),
                mnist.trainer().parameters().get("batchSize"),
                poll);
        out("  start-up                  %7.2f s", startup);
        out("  trigger latency           %7.2f s   (marker upload -> job start; target <= poll interval + 1 s = %.1f s)",
                trigger, poll.toMillis() / 1000.0 + 1);
        for (StepView step : view.steps()) {
            out("  step %-20s %7.2f s   %s", step.name(), step.duration().toMillis() / 1000.0, step.status());
        }
        out("  end-to-end                %7.2f s   (marker upload -> run finished)", endToEnd);
        out("  training (train step)     %7.2f s", training);
        out("  orchestration overhead    %7.1f %%   ((end-to-end - training) / end-to-end; target <= 10 %%)",
                100 * (endToEnd - training) / endToEnd);
        registry.serving(view.run().model()).ifPresent(v ->
                out("  test accuracy             %7.4f     (version %d; target >= 0.97)", v.accuracy(), v.version()));
        out("  outcome                   %s %s", view.run().status(), view.run().outcome());
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
}
