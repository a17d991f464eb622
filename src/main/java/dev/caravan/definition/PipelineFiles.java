package dev.caravan.definition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * Reads every {@code <dir>/<name>.yaml} ({@code caravan.pipelines-dir}, default {@code config/pipelines}) into the
 * environment as {@code caravan.pipelines.<name>.*}, below every other source: a command-line or environment
 * setting such as {@code --caravan.pipelines.mnist.trainer.parameters.trainSteps=200} overrides the file, and
 * {@code ${VAR:default}} placeholders in a file resolve as they do in {@code application.yaml}.
 */
class PipelineFiles implements EnvironmentPostProcessor, Ordered {

    static final String DIR_PROPERTY = "caravan.pipelines-dir";
    static final String PREFIX = "caravan.pipelines.";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Path dir = directory(environment);
        for (Path file : files(dir)) {
            environment.getPropertySources().addLast(load(file));
        }
    }

    @Override
    public int getOrder() {
        // After the config files are read, so that caravan.pipelines-dir may be set there.
        return Ordered.LOWEST_PRECEDENCE;
    }

    /** The folder of pipeline files, relative to the working directory unless absolute. */
    static Path directory(ConfigurableEnvironment environment) {
        return Path.of(environment.getProperty(DIR_PROPERTY, "config/pipelines")).toAbsolutePath().normalize();
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new PipelineDefinitionException("cannot list the pipeline files in " + dir + ": " + e.getMessage());
        }
    }

    private static FileSource load(Path file) {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - ".yaml".length());
        if (name.length() > 40 || !NAME.matcher(name).matches()) {
            throw new PipelineDefinitionException(file + ": '" + name + "' cannot name a pipeline; name the file with "
                    + "at most 40 lower-case letters, digits and '-', such as fashion.yaml");
        }
        List<PropertySource<?>> documents;
        try {
            documents = new YamlPropertySourceLoader().load(file.toString(), new FileSystemResource(file));
        } catch (IOException | RuntimeException e) {
            throw new PipelineDefinitionException(file + ": not valid YAML: " + e.getMessage());
        }
        if (documents.size() > 1) {
            throw new PipelineDefinitionException(file + ": holds " + documents.size() + " YAML documents; a pipeline"
                    + " file holds one (split it into one file per pipeline)");
        }
        Map<String, Object> prefixed = new LinkedHashMap<>();
        for (PropertySource<?> document : documents) {
            EnumerablePropertySource<?> keys = (EnumerablePropertySource<?>) document;
            for (String key : keys.getPropertyNames()) {
                // The value keeps its origin (file and line), so binding errors can point at it.
                prefixed.put(PREFIX + name + "." + key, ((Map<?, ?>) document.getSource()).get(key));
            }
        }
        if (prefixed.isEmpty()) {
            throw new PipelineDefinitionException(file + ": is empty; a pipeline file names at least model, source,"
                    + " trainer and gate (see config/pipelines/mnist.yaml)");
        }
        return new FileSource(name, file, prefixed);
    }

    /** One pipeline file's settings, with the file they came from. */
    static final class FileSource extends MapPropertySource implements OriginLookup<String> {

        private final Path file;

        FileSource(String pipeline, Path file, Map<String, Object> settings) {
            super(sourceName(pipeline), settings);
            this.file = file;
        }

        static String sourceName(String pipeline) {
            return "pipeline " + pipeline;
        }

        Path file() {
            return file;
        }

        @Override
        public Object getProperty(String name) {
            Object value = super.getProperty(name);
            return value instanceof OriginTrackedValue tracked ? tracked.getValue() : value;
        }

        @Override
        public Origin getOrigin(String key) {
            return getSource().get(key) instanceof OriginTrackedValue tracked ? tracked.getOrigin() : null;
        }
    }
}
