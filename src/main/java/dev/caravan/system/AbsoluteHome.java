package dev.caravan.system;

import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Makes {@code caravan.home} absolute before anything reads it: H2 refuses relative database paths, and every
 * other folder below the home should not depend on where a child process starts.
 */
class AbsoluteHome implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String home = environment.getProperty("caravan.home");
        if (home != null && !home.isBlank() && !Path.of(home).isAbsolute()) {
            String absolute = Path.of(home).toAbsolutePath().normalize().toString();
            environment.getPropertySources().addFirst(new MapPropertySource("caravanAbsoluteHome",
                    Map.of("caravan.home", absolute)));
        }
    }

    @Override
    public int getOrder() {
        // After the config files are read (ConfigDataEnvironmentPostProcessor), before anything else uses them.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
