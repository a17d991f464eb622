package dev.caravan.serving;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;

/**
 * A REST predict body, parsed in one streaming pass: {@code {"instances": [...]}} (row format) or
 * {@code {"inputs": ...}} (columnar), each with named inputs or one unnamed input, and an optional
 * {@code signature_name}.
 *
 * @param rows      whether the row format was used; the response then says {@code predictions}, else {@code outputs}
 * @param named     the tensors by input alias, or empty when one unnamed input was sent
 * @param unnamed   the unnamed input, or null
 */
record JsonPredictRequest(String signatureName, boolean rows, Map<String, JsonTensor> named, JsonTensor unnamed) {

    // Parsing the numbers is most of a request's work; the fast parser reads them several times faster. NaN, Infinity
    // and -Infinity are numbers in TensorFlow Serving's JSON (and in Python's json.dumps); the dtype decides later.
    private static final JsonFactory JSON = new JsonFactoryBuilder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static JsonPredictRequest parse(InputStream body) throws IOException {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw ServingError.invalidArgument("the request body must be a JSON object with \"instances\" "
                        + "(row format) or \"inputs\" (columnar format)");
            }
            String signature = "";
            JsonPredictRequest rows = null;
            JsonPredictRequest columns = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "signature_name" -> signature = signatureName(parser);
                    case "instances" -> rows = instances(parser);
                    case "inputs" -> columns = inputs(parser);
                    default -> parser.skipChildren();
                }
            }
            if ((rows == null) == (columns == null)) {
                throw ServingError.invalidArgument("the request must have exactly one of \"instances\" (row format) "
                        + "or \"inputs\" (columnar format)");
            }
            JsonPredictRequest request = rows != null ? rows : columns;
            return new JsonPredictRequest(signature, request.rows, request.named, request.unnamed);
        }
    }

    private static String signatureName(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw ServingError.invalidArgument("\"signature_name\" must be a string, as in \"serving_default\", not "
                    + (parser.currentToken().isScalarValue() ? parser.getText()
                    : parser.currentToken() == JsonToken.START_OBJECT ? "an object" : "a list"));
        }
        return parser.getText();
    }

    // Instances are stacked along a new first dimension: n instances of shape [28,28] make one [n,28,28] tensor.
    private static JsonPredictRequest instances(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw ServingError.invalidArgument("\"instances\" must be a list, one element per instance");
        }
        Map<String, JsonTensor> named = new LinkedHashMap<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        JsonTensor unnamed = null;
        long instances = 0;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String alias = parser.currentName();
                    parser.nextToken();
                    named.computeIfAbsent(alias, JsonTensor::new).read(parser, 1);
                    counts.merge(alias, 1L, Long::sum);
                }
            } else {
                unnamed = unnamed == null ? new JsonTensor("instances") : unnamed;
                unnamed.read(parser, 1);
            }
            instances++;
        }
        if (instances == 0) {
            throw ServingError.invalidArgument("\"instances\" is empty; send at least one instance");
        }
        if (unnamed != null && !named.isEmpty()) {
            throw ServingError.invalidArgument("\"instances\" mixes objects and plain values; use one form for all");
        }
        for (Map.Entry<String, Long> count : counts.entrySet()) {
            if (count.getValue() != instances) {
                throw ServingError.invalidArgument("input '" + count.getKey() + "' is in " + count.getValue() + " of "
                        + instances + " instances; every instance must name every input");
            }
        }
        final long batch = instances;
        named.values().forEach(tensor -> tensor.dimension(0, batch));
        if (unnamed != null) {
            unnamed.dimension(0, batch);
        }
        return new JsonPredictRequest("", true, named, unnamed);
    }

    private static JsonPredictRequest inputs(JsonParser parser) throws IOException {
        Map<String, JsonTensor> named = new LinkedHashMap<>();
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            JsonTensor unnamed = new JsonTensor("inputs");
            unnamed.read(parser, 0);
            return new JsonPredictRequest("", false, named, unnamed);
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String alias = parser.currentName();
            parser.nextToken();
            JsonTensor tensor = new JsonTensor(alias);
            tensor.read(parser, 0);
            named.put(alias, tensor);
        }
        return new JsonPredictRequest("", false, named, null);
    }

    /** The tensors by input alias; an unnamed input goes to the signature's only input. */
    Map<String, JsonTensor> inputsFor(ModelSignature signature) {
        if (unnamed == null) {
            return named;
        }
        if (signature.inputs().size() != 1) {
            throw ServingError.invalidArgument(signature.description() + " takes " + signature.inputs().size()
                    + " inputs (" + String.join(", ", signature.inputs().keySet()) + "); name each one, as in "
                    + (rows ? "{\"instances\": [{\"x\": ...}]}" : "{\"inputs\": {\"x\": ...}}"));
        }
        return Map.of(signature.inputs().keySet().iterator().next(), unnamed);
    }
}
