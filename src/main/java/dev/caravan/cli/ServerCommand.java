package dev.caravan.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

import dev.caravan.CaravanApplication;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** {@code caravan server}: runs the service until it is stopped. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Runs Caravan: embedded S3, trigger routes, the retrain job, the model server and the HTTP API.",
        footer = {"", "Any Spring property can follow, for example:",
                "  ./caravan server --caravan.pipelines.mnist.trainer.parameters.trainSteps=2000 --spring.profiles.active=dev"})
class ServerCommand implements Callable<Integer> {

    @Option(names = "--profile", description = "Runtime profile: local (default) or kubernetes.", defaultValue = "local")
    String profile;

    @Unmatched
    List<String> properties = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        ConfigurableApplicationContext context = start(profile, properties);
        System.out.printf("Caravan is up. Dashboard and API: http://%s:%s/%n",
                context.getEnvironment().getProperty("server.address", "127.0.0.1"),
                context.getEnvironment().getProperty("local.server.port", "8080"));
        CountDownLatch closed = new CountDownLatch(1);
        context.addApplicationListener(event -> {
            if (event instanceof ContextClosedEvent) {
                closed.countDown();
            }
        });
        closed.await();
        return 0;
    }

    /** Starts the service with a runtime profile and property overrides; closing the context stops it. */
    static ConfigurableApplicationContext start(String profile, List<String> properties) {
        SpringApplication application = new SpringApplication(CaravanApplication.class);
        application.setAdditionalProfiles(profile);
        application.setRegisterShutdownHook(true);
        return application.run(properties.toArray(String[]::new));
    }
}
