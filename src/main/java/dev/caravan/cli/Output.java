package dev.caravan.cli;

import java.io.PrintWriter;
import java.util.Map;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Option;

/** The {@code -o json|yaml} option: what the API answered, for scripts, instead of the table for people. */
class Output {

    enum Format { table, json, yaml }

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table (default), json or yaml.")
    Format format;

    /** Prints {@code value} as JSON or YAML and returns true, or returns false when a table is wanted. */
    boolean printed(PrintWriter out, JsonNode value) {
        ObjectMapper json = new ObjectMapper();
        try {
            if (format == Format.json) {
                out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(value));
            } else if (format == Format.yaml) {
                DumperOptions options = new DumperOptions();
                options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
                out.print(new Yaml(options).dump(json.convertValue(value, Object.class)));
            } else {
                return false;
            }
        } catch (JsonProcessingException e) {
            throw new ApiClient.CliException(1, "cannot print the answer: " + e.getMessage());
        }
        out.flush();
        return true;
    }

    static Map<String, Object> parameters(Map<String, String> parameters) {
        return Map.of("parameters", parameters == null ? Map.of() : parameters);
    }

    /** A submission's body: the pipeline (none: the only one) and the parameters that differ from its own. */
    static Map<String, Object> submission(String pipeline, Map<String, String> parameters) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(parameters(parameters));
        if (pipeline != null) {
            body.put("pipeline", pipeline);
        }
        return body;
    }
}
