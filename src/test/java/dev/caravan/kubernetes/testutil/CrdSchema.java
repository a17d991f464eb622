package dev.caravan.kubernetes.testutil;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * A structural check of an object against a CRD's {@code openAPIV3Schema}: types, required fields, enums and unknown
 * fields (what the API server's structural pruning and validation reject), not the full OpenAPI vocabulary.
 */
public final class CrdSchema {

    private final Map<String, Object> schema;

    private CrdSchema(Map<String, Object> schema) {
        this.schema = schema;
    }

    @SuppressWarnings("unchecked")
    public static CrdSchema read(Path crd, String version) throws java.io.IOException {
        Map<String, Object> doc = new ObjectMapper(new YAMLFactory()).readValue(Files.readString(crd), Map.class);
        List<Map<String, Object>> versions = (List<Map<String, Object>>) ((Map<String, Object>) doc.get("spec")).get("versions");
        Map<String, Object> served = versions.stream().filter(v -> version.equals(v.get("name"))).findFirst().orElseThrow();
        return new CrdSchema((Map<String, Object>) ((Map<String, Object>) served.get("schema")).get("openAPIV3Schema"));
    }

    /** The violations of {@code object} (an object converted to maps and lists); empty when it validates. */
    public List<String> violations(Object object) {
        List<String> found = new ArrayList<>();
        check("", object, schema, found);
        return found;
    }

    @SuppressWarnings("unchecked")
    private void check(String path, Object value, Map<String, Object> s, List<String> found) {
        if (value == null) {
            return;
        }
        if (Boolean.TRUE.equals(s.get("x-kubernetes-int-or-string"))) {
            if (!(value instanceof Number || value instanceof String)) {
                found.add(path + ": must be an integer or a string");
            }
            return;
        }
        String type = (String) s.get("type");
        if (s.get("enum") instanceof List<?> values && !values.contains(value)) {
            found.add(path + ": '" + value + "' is not one of " + values);
        }
        if (type == null) {
            return;
        }
        switch (type) {
            case "object" -> object(path, value, s, found);
            case "array" -> {
                if (!(value instanceof List<?> list)) {
                    found.add(path + ": must be an array");
                } else if (s.get("items") instanceof Map<?, ?> items) {
                    for (int i = 0; i < list.size(); i++) {
                        check(path + "[" + i + "]", list.get(i), (Map<String, Object>) items, found);
                    }
                }
            }
            case "string" -> expect(path, value instanceof String, "a string", found);
            case "integer" -> expect(path, value instanceof Integer || value instanceof Long, "an integer", found);
            case "number" -> expect(path, value instanceof Number, "a number", found);
            case "boolean" -> expect(path, value instanceof Boolean, "a boolean", found);
            default -> found.add(path + ": unknown schema type " + type);
        }
    }

    @SuppressWarnings("unchecked")
    private void object(String path, Object value, Map<String, Object> s, List<String> found) {
        if (!(value instanceof Map<?, ?> map)) {
            found.add(path + ": must be an object");
            return;
        }
        Map<String, Object> properties = (Map<String, Object>) s.get("properties");
        if (s.get("required") instanceof List<?> required) {
            required.stream().filter(r -> !map.containsKey(r)).forEach(r -> found.add(path + "." + r + ": is required"));
        }
        boolean preserve = Boolean.TRUE.equals(s.get("x-kubernetes-preserve-unknown-fields"));
        map.forEach((key, child) -> {
            String childPath = path + "." + key;
            if (properties != null && properties.containsKey(key)) {
                check(childPath, child, (Map<String, Object>) properties.get(key), found);
            } else if (s.get("additionalProperties") instanceof Map<?, ?> additional) {
                check(childPath, child, (Map<String, Object>) additional, found);
            } else if (properties != null && !preserve) {
                found.add(childPath + ": unknown field");
            }
        });
    }

    private static void expect(String path, boolean ok, String what, List<String> found) {
        if (!ok) {
            found.add(path + ": must be " + what);
        }
    }
}
