package dev.caravan.serving;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Int64Value;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.caravan.serving.api.Code;
import dev.caravan.serving.api.GetModelMetadataRequest;
import dev.caravan.serving.api.GetModelMetadataResponse;
import dev.caravan.serving.api.GetModelStatusRequest;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.SignatureDefMap;

/**
 * TensorFlow Serving's REST API over the served models, independent of the HTTP transport:
 * {@code POST /v1/models/{name}[/versions/{v}]:predict}, {@code GET /v1/models/{name}[/versions/{v}]} (status) and
 * {@code GET /v1/models/{name}[/versions/{v}]/metadata}. Refusals answer {@code {"error": "..."}} with the HTTP
 * status TensorFlow Serving uses for the error code.
 */
final class RestApi {

    // Jackson's hints name parser settings ("enable JsonReadFeature.X to allow"), which a caller cannot change.
    private static final Pattern PARSER_HINT = Pattern.compile(
            ":? ?\\(?(enable `[^`]+` to allow|not recognized as one since Feature '[^']+' not enabled for parser"
                    + "|, from `StreamReadConstraints\\.[^`]+`)\\)?");
    private static final Pattern ROUTE = Pattern.compile(
            "/v1/models/([^/:]+)(?:/versions/(\\d{1,18})|/labels/([^/:]+))?(?::([a-zA-Z]+)|/(metadata))?/?");
    // Non-finite floats go out as the bare tokens NaN, Infinity and -Infinity, as TensorFlow Serving writes them.
    private static final JsonFactory JSON = new JsonFactoryBuilder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .includingDefaultValueFields();

    private final ServedModels models;
    private final Predictions predictions;

    RestApi(ServedModels models, Predictions predictions) {
        this.models = models;
        this.predictions = predictions;
    }

    /**
     * An HTTP status, a JSON body, for a 405 the one method the path allows and, for a prediction, the servable
     * version that answered it (sent as {@value #VERSION_HEADER}; TF Serving's body has no place for it).
     */
    record Response(int status, byte[] body, String allow, Long version) {

        Response(int status, byte[] body) {
            this(status, body, null, null);
        }
    }

    /** The response header naming the version that answered a prediction. */
    static final String VERSION_HEADER = "X-Model-Version";

    /**
     * Answers one request. Status and metadata are answered at once; a prediction completes once a prediction
     * thread ran it. Every body is JSON, refusals included.
     */
    CompletableFuture<Response> handle(String method, String path, InputStream body) {
        try {
            Matcher route = ROUTE.matcher(path);
            if (!route.matches()) {
                throw ServingError.notFound("no such resource: " + path + "; the API is /v1/models/{name}"
                        + "[/versions/{version} | /labels/{label}][:predict | /metadata]");
            }
            ModelSpec.Builder spec = spec(route);
            String verb = route.group(4);
            String allowed = verb != null ? "POST" : "GET";
            if (!allowed.equals(method)) {
                return CompletableFuture.completedFuture(methodNotAllowed(method, path, allowed));
            }
            if (verb != null) {
                if (!"predict".equals(verb)) {
                    throw new ServingError(Code.UNIMPLEMENTED, "':" + verb + "' is not served "
                            + "here; this server answers ':predict'");
                }
                return predict(spec, body);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (route.group(5) != null) {
                metadata(spec.build(), out);
            } else {
                print(GrpcModelService.status(models, GetModelStatusRequest.newBuilder().setModelSpec(spec).build()), out);
            }
            return CompletableFuture.completedFuture(new Response(200, out.toByteArray()));
        } catch (ServingError e) {
            return CompletableFuture.completedFuture(error(e.httpStatus(), e.getMessage()));
        } catch (JsonProcessingException e) {
            return CompletableFuture.completedFuture(error(400, notJson(e)));
        } catch (IOException e) {
            return CompletableFuture.completedFuture(error(500, "the model server cannot answer: " + e));
        }
    }

    /** A refusal as TensorFlow Serving words it: {@code {"error": "..."}}. */
    static Response error(int status, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("error", message);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an error as JSON", e);
        }
        return new Response(status, out.toByteArray());
    }

    private static String notJson(JsonProcessingException e) {
        String problem = PARSER_HINT.matcher(e.getOriginalMessage()).replaceAll("");
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr();
        return "the request body is not valid JSON" + where + ": " + problem
                + "; send a JSON object such as {\"instances\": [...]}";
    }

    private CompletableFuture<Response> predict(ModelSpec.Builder spec, InputStream body) throws IOException {
        JsonPredictRequest request = JsonPredictRequest.parse(body);
        spec.setSignatureName(request.signatureName());
        CompletableFuture<Response> answer = new CompletableFuture<>();
        predictions.submit("rest", spec.build(), List.of(), signature -> checked(request, signature),
                new JsonResponder(request.rows(), answer));
        return answer;
    }

    private static Map<String, InputSource> checked(JsonPredictRequest request, ModelSignature signature) {
        Map<String, InputSource> inputs = new LinkedHashMap<>();
        request.inputsFor(signature).forEach((alias, tensor) ->
                inputs.put(alias, tensor.checkedFor(signature.input(alias), signature)));
        return inputs;
    }

    /** A predict response body: {@code predictions} in the row format, else {@code outputs}. */
    static byte[] outputs(boolean rows, List<TensorSpec> fetches, List<OutputSlice> outputs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            JsonOutputs.write(json, rows, fetches, outputs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the outputs as JSON", e);
        }
        return out.toByteArray();
    }

    private record JsonResponder(boolean rows, CompletableFuture<Response> answer) implements PredictionTask.Responder {

        @Override
        public void respond(LoadedModel model, ModelSignature signature, List<TensorSpec> fetches,
                            List<OutputSlice> outputs) {
            try {
                answer.complete(new Response(200, outputs(rows, fetches, outputs), null, model.version()));
            } catch (ServingError e) {
                fail(e);
            }
        }

        @Override
        public void fail(ServingError error) {
            answer.complete(RestApi.error(error.httpStatus(), error.getMessage()));
        }
    }

    // As TensorFlow Serving prints it: the model spec, then "metadata": {"signature_def": <SignatureDefMap>}.
    private void metadata(ModelSpec spec, OutputStream out) throws IOException {
        GetModelMetadataResponse response = GrpcPredictionService.metadata(models, GetModelMetadataRequest.newBuilder()
                .setModelSpec(spec).addMetadataField(GrpcPredictionService.SIGNATURE_DEF).build());
        ObjectNode root = MAPPER.createObjectNode();
        root.set("model_spec", MAPPER.readTree(PRINTER.print(response.getModelSpec())));
        root.putObject("metadata").set(GrpcPredictionService.SIGNATURE_DEF, MAPPER.readTree(PRINTER.print(
                response.getMetadataOrThrow(GrpcPredictionService.SIGNATURE_DEF).unpack(SignatureDefMap.class))));
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, root);
    }

    private static void print(MessageOrBuilder message, OutputStream out) throws IOException {
        try {
            out.write(PRINTER.print(message).getBytes(StandardCharsets.UTF_8));
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static ModelSpec.Builder spec(Matcher route) {
        ModelSpec.Builder spec = ModelSpec.newBuilder().setName(route.group(1));
        if (route.group(2) != null) {
            spec.setVersion(Int64Value.of(Long.parseLong(route.group(2))));
        } else if (route.group(3) != null) {
            spec.setVersionLabel(route.group(3));
        }
        return spec;
    }

    private static Response methodNotAllowed(String method, String path, String allowed) {
        Response refusal = error(405, method + " " + path + " is not supported; use " + allowed
                + ("POST".equals(allowed) ? " with a JSON body" : ""));
        return new Response(refusal.status(), refusal.body(), allowed, null);
    }
}
