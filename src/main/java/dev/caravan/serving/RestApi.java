package dev.caravan.serving;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Int64Value;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.caravan.serving.api.GetModelMetadataRequest;
import dev.caravan.serving.api.GetModelMetadataResponse;
import dev.caravan.serving.api.GetModelStatusRequest;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.SignatureDefMap;
import org.tensorflow.Result;

/**
 * TensorFlow Serving's REST API over the served models, independent of the HTTP transport:
 * {@code POST /v1/models/{name}[/versions/{v}]:predict}, {@code GET /v1/models/{name}[/versions/{v}]} (status) and
 * {@code GET /v1/models/{name}[/versions/{v}]/metadata}. Refusals answer {@code {"error": "..."}} with the HTTP
 * status TensorFlow Serving uses for the error code.
 */
final class RestApi {

    private static final Pattern ROUTE = Pattern.compile(
            "/v1/models/([^/:]+)(?:/versions/(\\d+)|/labels/([^/:]+))?(?::([a-zA-Z]+)|/(metadata))?/?");
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .includingDefaultValueFields();

    private final ServedModels models;

    RestApi(ServedModels models) {
        this.models = models;
    }

    /** Answers one request into {@code out} and returns the HTTP status; the body is JSON in every case. */
    int handle(String method, String path, InputStream body, OutputStream out) throws IOException {
        try {
            Matcher route = ROUTE.matcher(path);
            if (!route.matches()) {
                throw ServingError.notFound("no such resource: " + path + "; the API is /v1/models/{name}"
                        + "[/versions/{version}][:predict | /metadata]");
            }
            ModelSpec.Builder spec = spec(route);
            String verb = route.group(4);
            if (verb != null) {
                requireMethod("POST", method, path);
                if (!"predict".equals(verb)) {
                    throw new ServingError(dev.caravan.serving.api.Code.UNIMPLEMENTED, "':" + verb + "' is not served "
                            + "here; this server answers ':predict'");
                }
                predict(spec, body, out);
            } else {
                requireMethod("GET", method, path);
                if (route.group(5) != null) {
                    metadata(spec.build(), out);
                } else {
                    print(GrpcModelService.status(models, GetModelStatusRequest.newBuilder().setModelSpec(spec).build()), out);
                }
            }
            return 200;
        } catch (ServingError e) {
            error(e.getMessage(), out);
            return e.httpStatus();
        } catch (JsonProcessingException e) {
            error("the request body is not valid JSON: " + e.getOriginalMessage(), out);
            return 400;
        }
    }

    private void predict(ModelSpec.Builder spec, InputStream body, OutputStream out) throws IOException {
        JsonPredictRequest request = JsonPredictRequest.parse(body);
        spec.setSignatureName(request.signatureName());
        try (ServedModels.Lease lease = models.acquire(spec.build())) {
            ModelSignature signature = lease.model().signature(request.signatureName());
            List<TensorSpec> fetches = signature.outputs(List.of());
            try (Feeds feeds = Feeds.of(signature, request.inputsFor(signature), (input, tensor, s) -> tensor.toTensor(input, s));
                 Result result = signature.run(lease.model().session(), feeds.tensors(), fetches);
                 JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                JsonOutputs.write(json, request.rows(), fetches, result);
            }
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
            out.write(PRINTER.print(message).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }

    static void error(String message, OutputStream out) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("error", message);
            json.writeEndObject();
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

    private static void requireMethod(String expected, String method, String path) {
        if (!expected.equals(method)) {
            throw new ServingError(dev.caravan.serving.api.Code.UNIMPLEMENTED, method + " " + path
                    + " is not supported; use " + expected);
        }
    }
}
