package dev.caravan.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.util.FileSystemUtils;

import dev.caravan.pipeline.RunEvent;
import dev.caravan.pipeline.RunQueries;
import dev.caravan.pipeline.RunView;
import dev.caravan.serving.ServingBackend;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Unmatched;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code caravan demo}: starts Caravan on a clean home folder, uploads MNIST into the bucket as any S3 client
 * would, and shows the run it triggers until the new model is serving and has answered the smoke test.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Drops MNIST into the embedded bucket and shows Caravan retrain, serve and answer.",
        footer = {"", "Examples:", "  ./caravan demo", "  ./caravan demo --serve          keep serving after the run",
                "  ./caravan demo --caravan.pipelines.mnist.trainer.parameters.trainSteps=2000"})
class DemoCommand implements Callable<Integer> {

    /** The pipeline the demo drops its data into: config/pipelines/mnist.yaml. */
    private static final String PIPELINE = "mnist";
    private static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    @Spec
    CommandSpec spec;

    @Option(names = "--data", description = "Folder with the MNIST IDX files to upload (default: ${DEFAULT-VALUE}).",
            defaultValue = "data/mnist")
    Path data;

    @Option(names = "--home", description = "Caravan's home for the demo, emptied first (default: ${DEFAULT-VALUE}).",
            defaultValue = ".caravan/demo")
    Path home;

    @Option(names = "--serve", description = "Keep serving after the run, until Ctrl-C.")
    boolean serve;

    @Option(names = "--timeout", description = "Give up after this long (default: ${DEFAULT-VALUE}).", defaultValue = "PT30M")
    Duration timeout;

    @Unmatched
    List<String> properties = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        checkData();
        FileSystemUtils.deleteRecursively(home);
        List<String> settings = new ArrayList<>(List.of("--caravan.home=" + home, "--logging.threshold.console=WARN"));
        settings.addAll(properties);
        out.println("Starting Caravan (home " + home + ") ...");
        out.flush();
        long started = System.nanoTime();
        try (ConfigurableApplicationContext context = ServerCommand.start("local", settings)) {
            BlockingQueue<RunEvent> events = new ArrayBlockingQueue<>(10_000);
            context.addApplicationListener(event -> {
                if (event instanceof PayloadApplicationEvent<?> payload && payload.getPayload() instanceof RunEvent run) {
                    events.offer(run);
                }
            });
            PipelineCatalog pipelines = context.getBean(PipelineCatalog.class);
            PipelineDefinition mnist = pipelines.find(PIPELINE).orElseGet(() -> pipelines.resolve(null));
            ServingBackend serving = context.getBean(ServingBackend.class);
            out.printf("Caravan is up in %.1f s: S3 %s, model server gRPC %s:%d REST %d, API http://%s%n",
                    seconds(started), context.getBean(S3Settings.class).endpoint(), serving.endpoint(mnist.model()).host(),
                    serving.endpoint(mnist.model()).grpcPort(), serving.endpoint(mnist.model()).restPort(),
                    apiAddress(context));
            out.printf("Follow it in the dashboard: http://%s/%n", apiAddress(context));
            upload(out, context.getBean(S3Settings.class), mnist.source());
            RunEvent.RunFinished finished = new RunProgress(out).follow(events, timeout);
            RunView view = context.getBean(RunQueries.class).get(finished.run()).orElseThrow();
            int code = report(out, finished, view, started);
            if (serve && code == 0) {
                out.printf("Serving %s on gRPC %s:%d and REST http://%s:%d/v1/models/%s; Ctrl-C to stop.%n",
                        mnist.model(), serving.endpoint(mnist.model()).host(), serving.endpoint(mnist.model()).grpcPort(),
                        serving.endpoint(mnist.model()).host(), serving.endpoint(mnist.model()).restPort(), mnist.model());
                out.printf("Dashboard: http://%s/%n", apiAddress(context));
                out.println("In another terminal the CLI works against it as it is: ./caravan list, ./caravan models "
                        + mnist.model() + ", ./caravan rollback " + mnist.model());
                out.flush();
                Thread.currentThread().join();
            }
            return code;
        }
    }

    private void checkData() {
        for (String file : FILES) {
            if (!Files.isRegularFile(data.resolve(file))) {
                throw new IllegalArgumentException("missing " + data.resolve(file) + "; run the demo from Caravan's "
                        + "folder or point --data at a folder with the four MNIST IDX files");
            }
        }
    }

    /** Uploads the data and then the marker, with a plain S3 client, as a user's tool would. */
    private void upload(PrintWriter out, S3Settings s3, PipelineDefinition.Source source) throws IOException {
        try (S3Client client = ObjectStore.client(s3); ObjectStore store = new ObjectStore(client)) {
            for (String file : FILES) {
                Path path = data.resolve(file);
                S3Location object = source.location().resolve(file);
                store.put(object, path);
                out.printf("Uploaded %s (%.1f MB)%n", object, Files.size(path) / 1e6);
            }
            S3Location marker = new S3Location(source.bucket(), source.markerKey());
            store.put(marker, new byte[0]);
            out.printf("Uploaded %s: the upload is complete%n%n", marker);
            out.flush();
        }
    }

    private static int report(PrintWriter out, RunEvent.RunFinished finished, RunView view, long started) {
        out.println();
        if (view.smokeReport() != null) {
            out.println(view.smokeReport());
            out.println();
        }
        out.printf(Locale.ROOT, "Run %s: %s (%s) in %.1f s since start%n", finished.run(), finished.status(),
                finished.outcome(), seconds(started));
        if (!"PROMOTED".equals(finished.outcome())) {
            out.println("Not promoted: " + finished.message());
            out.flush();
            return 1;
        }
        out.printf("Version %d of %s is serving.%n", view.run().modelVersion(), view.run().model());
        out.flush();
        return 0;
    }

    private static String apiAddress(ConfigurableApplicationContext context) {
        return context.getEnvironment().getProperty("server.address", "127.0.0.1") + ":"
                + context.getEnvironment().getProperty("local.server.port", "8080");
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
