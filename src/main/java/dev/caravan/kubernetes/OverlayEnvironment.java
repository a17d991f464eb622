package dev.caravan.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The environment variables that {@code k8s/overlays/<env>} gives Caravan's container: the literals of the
 * {@code caravan-env} ConfigMap generator in {@code k8s/base}, merged with the overlay's own (kustomize's
 * {@code behavior: merge}, the overlay's value winning), as {@code kubectl apply -k} makes them.
 */
final class OverlayEnvironment {

    static final String CONFIG_MAP = "caravan-env";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private OverlayEnvironment() {
    }

    /** The overlay's folder under {@code k8s} (relative to the working folder, like {@code config/}). */
    static Path overlay(Path k8s, String env) {
        return k8s.resolve("overlays").resolve(env);
    }

    /** The variables, in order; empty when {@code k8s/overlays/<env>} does not exist. */
    static Map<String, String> of(Path k8s, String env) {
        Map<String, String> variables = new LinkedHashMap<>();
        if (!Files.isDirectory(overlay(k8s, env))) {
            return variables;
        }
        for (Path kustomization : List.of(k8s.resolve("base"), overlay(k8s, env))) {
            read(kustomization.resolve("kustomization.yaml")).forEach(variables::put);
        }
        return variables;
    }

    private static Map<String, String> read(Path file) {
        Map<String, String> literals = new LinkedHashMap<>();
        try {
            Kustomization kustomization = YAML.readValue(file.toFile(), Kustomization.class);
            if (kustomization.configMapGenerator() == null) {
                return literals;
            }
            kustomization.configMapGenerator().stream().filter(g -> CONFIG_MAP.equals(g.name()) && g.literals() != null)
                    .flatMap(g -> g.literals().stream()).forEach(literal -> {
                        int equals = literal.indexOf('=');
                        if (equals <= 0) {
                            throw new IllegalArgumentException(file + ": the " + CONFIG_MAP + " literal '" + literal
                                    + "' is not NAME=value");
                        }
                        literals.put(literal.substring(0, equals), literal.substring(equals + 1));
                    });
            return literals;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The part of a {@code kustomization.yaml} read here. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Kustomization(List<Generator> configMapGenerator) {
    }

    /** One ConfigMap generator: its name and {@code NAME=value} literals. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Generator(String name, List<String> literals) {
    }
}
