package dev.caravan.testutil;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.caravan.CaravanApplication;
import dev.caravan.pipeline.Run;
import dev.caravan.pipeline.RunStore;
import dev.caravan.storage.ObjectStore;

/** A whole Caravan started on a given home, for tests that restart it; closing it stops everything. */
public final class CaravanInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final RecordedRunEvents events = new RecordedRunEvents();

    private CaravanInstance(ConfigurableApplicationContext context) {
        this.context = context;
        context.addApplicationListener(events);
    }

    public RecordedRunEvents events() {
        return events;
    }

    /** Starts Caravan on {@code home} with free ports, quick polling and the given extra properties. */
    public static CaravanInstance start(Path home, String... properties) {
        List<String> args = new ArrayList<>(List.of("--caravan.home=" + home, "--server.port=0",
                "--caravan.s3.embedded.port=0", "--caravan.serving.grpc-port=0", "--caravan.serving.rest-port=0",
                "--caravan.trigger.poll-interval=200ms", "--caravan.pipelines.mnist.trainer.parameters.trainSteps=20",
                "--caravan.pipelines.mnist.trainer.parameters.batchSize=50", "--caravan.training.jvm-options=-Xmx768m -XX:+UseSerialGC",
                "--logging.file.name=" + home.resolve("logs/caravan.log")));
        args.addAll(List.of(properties));
        // A property given twice would bind as a list: the later one, the caller's, wins.
        java.util.Map<String, String> byName = new java.util.LinkedHashMap<>();
        args.forEach(arg -> byName.put(arg.split("=", 2)[0], arg));
        args = new ArrayList<>(byName.values());
        return new CaravanInstance(new SpringApplicationBuilder(CaravanApplication.class).run(args.toArray(String[]::new)));
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public ObjectStore store() {
        return bean(ObjectStore.class);
    }

    public List<Run> runs() {
        return bean(RunStore.class).list(1000);
    }

    /** Waits until {@code count} runs exist and all have ended. */
    public List<Run> awaitEndedRuns(int count) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                .until(() -> runs().size() >= count && runs().stream().allMatch(r -> r.endedAt() != null));
        return runs();
    }

    @Override
    public void close() {
        context.close();
    }
}
