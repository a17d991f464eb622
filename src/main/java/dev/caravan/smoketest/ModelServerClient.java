package dev.caravan.smoketest;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.GetModelMetadataRequest;
import dev.caravan.serving.api.GetModelMetadataResponse;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.SignatureDef;
import dev.caravan.serving.api.SignatureDefMap;
import io.grpc.StatusRuntimeException;

/**
 * Asks the server that serves a model, wherever the runtime put it, for predictions and for the model's signature,
 * through the {@code prediction-service} route.
 */
public final class ModelServerClient {

    static final String DEFAULT_SIGNATURE = "serving_default";
    private static final String SIGNATURE_DEF = "signature_def";

    private final ProducerTemplate producer;
    private final ServingBackend serving;
    private final PredictionServiceDeadline deadline;

    ModelServerClient(ProducerTemplate producer, ServingBackend serving, PredictionServiceDeadline deadline) {
        this.producer = producer;
        this.serving = serving;
        this.deadline = deadline;
    }

    /**
     * The served version's answer to {@code request}.
     *
     * @throws PredictException when the server cannot be reached, does not answer in time or refuses the request
     */
    public PredictResponse predict(PredictRequest request) {
        return call(request.getModelSpec().getName(), "Predict", request, PredictResponse.class);
    }

    /**
     * The dtype of each input of the served version's signature {@code signatureName} (empty: the default one).
     *
     * @throws PredictException when the server cannot tell, or the model has no such signature
     */
    public Map<String, DataType> inputTypes(String model, String signatureName) {
        String name = signatureName == null || signatureName.isBlank() ? DEFAULT_SIGNATURE : signatureName;
        GetModelMetadataRequest request = GetModelMetadataRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName(model)).addMetadataField(SIGNATURE_DEF).build();
        SignatureDefMap signatures = signatures(call(model, "GetModelMetadata", request, GetModelMetadataResponse.class), model);
        SignatureDef signature = signatures.getSignatureDefMap().get(name);
        if (signature == null) {
            throw new PredictException("model " + model + " has no signature '" + name + "'; it has "
                    + signatures.getSignatureDefMap().keySet() + " (set signature_name in the request)", null);
        }
        Map<String, DataType> types = new LinkedHashMap<>();
        signature.getInputsMap().forEach((alias, info) -> types.put(alias, info.getDtype()));
        return types;
    }

    /** The headers that send a request for {@code model} to its server, calling {@code method}. */
    Map<String, Object> headers(String model, String method) {
        ServingEndpoint endpoint = serving.endpoint(model);
        return Map.of(PredictionServiceRoute.HOST, endpoint.host(), PredictionServiceRoute.PORT, endpoint.grpcPort(),
                PredictionServiceRoute.METHOD, method);
    }

    /** host:port of {@code model}'s server, for messages. */
    String address(String model) {
        ServingEndpoint endpoint = serving.endpoint(model);
        return endpoint.host() + ":" + endpoint.grpcPort();
    }

    private <T> T call(String model, String method, Object request, Class<T> answer) {
        try {
            return producer.requestBodyAndHeaders(PredictionServiceRoute.ENDPOINT, request, headers(model, method), answer);
        } catch (CamelExecutionException e) {
            throw failure(e, model);
        }
    }

    private PredictException failure(CamelExecutionException e, String model) {
        Throwable cause = e;
        while (cause != null && !(cause instanceof StatusRuntimeException)) {
            cause = cause.getCause();
        }
        if (cause == null) {
            Throwable root = e.getCause() == null ? e : e.getCause();
            return new PredictException("the call to the model server at " + address(model) + " failed: " + root, e);
        }
        return new PredictException(GrpcFailures.explain((StatusRuntimeException) cause, address(model),
                deadline.deadline(), "check the request against the signature of model " + model), e);
    }

    private static SignatureDefMap signatures(GetModelMetadataResponse metadata, String model) {
        try {
            return metadata.getMetadataOrThrow(SIGNATURE_DEF).unpack(SignatureDefMap.class);
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new PredictException("the model server's metadata of model " + model + " holds no signatures: "
                    + e.getMessage(), e);
        }
    }
}
