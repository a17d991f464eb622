package dev.caravan.definition;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Profiles;
import org.springframework.stereotype.Component;

/**
 * Every pipeline Caravan runs, read once at start from {@code config/pipelines/*.yaml} (and any
 * {@code caravan.pipelines.<name>.*} setting). A definition Caravan cannot run stops start-up with a
 * {@link PipelineDefinitionException} naming the file, the key and the reason; on the {@code kubernetes} profile that
 * includes a trainer the training job's settings cannot run ({@link KubernetesTrainer}).
 */
@Component
public class PipelineCatalog {

    private final Map<String, PipelineDefinition> pipelines;

    public PipelineCatalog(ConfigurableEnvironment environment) {
        Map<String, PipelineDefinition> byName = new TreeMap<>();
        read(environment).forEach(p -> byName.put(p.name(), p));
        this.pipelines = byName;
    }

    /** Every pipeline, by name. */
    public List<PipelineDefinition> all() {
        return List.copyOf(pipelines.values());
    }

    /** The pipeline named {@code name} (its file's name), or the one whose model is {@code name}. */
    public Optional<PipelineDefinition> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        PipelineDefinition byName = pipelines.get(name);
        return byName != null ? Optional.of(byName) : forModel(name);
    }

    /** The pipeline that trains and serves {@code model}. */
    public Optional<PipelineDefinition> forModel(String model) {
        return pipelines.values().stream().filter(p -> p.model().equals(model)).findFirst();
    }

    /**
     * The pipeline a request means: the one it names (by pipeline or model name), or the only one when it names none.
     *
     * @throws UnknownPipelineException naming the pipelines there are
     */
    public PipelineDefinition resolve(String name) {
        if (name == null || name.isBlank()) {
            if (pipelines.size() == 1) {
                return pipelines.values().iterator().next();
            }
            throw new UnknownPipelineException("name a pipeline (one of " + names() + "), e.g. -m "
                    + pipelines.keySet().iterator().next());
        }
        return find(name).orElseThrow(() -> new UnknownPipelineException("there is no pipeline or model named '" + name
                + "'; the pipelines are " + names() + " (config/pipelines/<name>.yaml)"));
    }

    private String names() {
        return String.join(", ", pipelines.keySet());
    }

    private static List<PipelineDefinition> read(ConfigurableEnvironment environment) {
        Map<String, PipelineFile> files = bind(environment);
        if (files.isEmpty()) {
            throw new PipelineDefinitionException("no pipeline is defined: add a file to "
                    + PipelineFiles.directory(environment) + " (config/pipelines/mnist.yaml is the example)");
        }
        List<PipelineDefinition> definitions = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Optional<KubernetesTrainer> kubernetes = environment.acceptsProfiles(Profiles.of("kubernetes"))
                ? Optional.of(KubernetesTrainer.of(environment)) : Optional.empty();
        files.forEach((name, file) -> {
            PipelineRules rules = new PipelineRules(name, kubernetes);
            PipelineDefinition definition = rules.check(file);
            problems.addAll(rules.problems().stream().map(p -> where(environment, name) + ": " + p).toList());
            if (definition != null) {
                definitions.add(definition);
            }
        });
        if (problems.isEmpty()) {
            problems.addAll(PipelineRules.across(definitions).stream()
                    .map(p -> where(environment, p.pipeline()) + ": " + p.problem()).toList());
        }
        if (!problems.isEmpty()) {
            throw new PipelineDefinitionException("invalid pipeline definition:\n  " + String.join("\n  ", problems));
        }
        return definitions;
    }

    private static Map<String, PipelineFile> bind(ConfigurableEnvironment environment) {
        try {
            return Binder.get(environment).bind("caravan.pipelines",
                            Bindable.mapOf(String.class, PipelineFile.class), new NoUnboundElementsBindHandler(BindHandler.DEFAULT))
                    .map(m -> (Map<String, PipelineFile>) new LinkedHashMap<>(m)).orElseGet(Map::of);
        } catch (BindException e) {
            throw new PipelineDefinitionException("invalid pipeline definition:\n  " + describe(environment, e));
        }
    }

    /** One line naming the file, the key and the reason a setting could not be read. */
    private static String describe(ConfigurableEnvironment environment, BindException e) {
        if (e.getCause() instanceof UnboundConfigurationPropertiesException unbound) {
            return unbound.getUnboundProperties().stream().map(property -> {
                String[] parts = relative(property.getName());
                return where(environment, parts[0]) + ": unknown key '" + parts[1] + "' (value '" + property.getValue()
                        + "'); a pipeline's keys are " + String.join(", ", PipelineFile.KEYS);
            }).collect(Collectors.joining("\n  "));
        }
        String[] parts = relative(e.getName());
        String value = e.getProperty() == null ? "" : " '" + e.getProperty().getValue() + "'";
        return where(environment, parts[0]) + ": key '" + parts[1] + "':" + value + " cannot be read ("
                + rootMessage(e) + ")";
    }

    /** {@code caravan.pipelines.fashion.trainer.foo} -> {@code [fashion, trainer.foo]}. */
    private static String[] relative(ConfigurationPropertyName name) {
        String full = name.toString();
        String rest = full.startsWith(PipelineFiles.PREFIX) ? full.substring(PipelineFiles.PREFIX.length()) : full;
        int dot = rest.indexOf('.');
        return dot < 0 ? new String[] {rest, "(the whole pipeline)"} : new String[] {rest.substring(0, dot), rest.substring(dot + 1)};
    }

    private static String where(ConfigurableEnvironment environment, String pipeline) {
        if (environment.getPropertySources().get(PipelineFiles.FileSource.sourceName(pipeline))
                instanceof PipelineFiles.FileSource file) {
            return display(file.file());
        }
        return "pipeline '" + pipeline + "' (set by caravan.pipelines." + pipeline + ".* settings)";
    }

    private static String display(Path file) {
        Path here = Path.of("").toAbsolutePath();
        return file.startsWith(here) ? here.relativize(file).toString() : file.toString();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    /** A request names a pipeline that does not exist, or names none where several do. */
    public static class UnknownPipelineException extends IllegalArgumentException {

        public UnknownPipelineException(String message) {
            super(message);
        }
    }
}
