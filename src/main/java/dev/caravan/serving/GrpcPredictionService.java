package dev.caravan.serving;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.Any;
import com.google.protobuf.Int64Value;
import dev.caravan.serving.api.GetModelMetadataRequest;
import dev.caravan.serving.api.GetModelMetadataResponse;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.PredictionServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** TensorFlow Serving's {@code PredictionService}: Predict and GetModelMetadata. */
final class GrpcPredictionService extends PredictionServiceGrpc.PredictionServiceImplBase {

    static final String SIGNATURE_DEF = "signature_def";

    private final ServedModels models;
    private final Predictions predictions;

    GrpcPredictionService(ServedModels models, Predictions predictions) {
        this.models = models;
        this.predictions = predictions;
    }

    /** Checks the request here, on the transport thread, and answers from the prediction thread that runs it. */
    @Override
    public void predict(PredictRequest request, StreamObserver<PredictResponse> observer) {
        ServerCallStreamObserver<PredictResponse> call = (ServerCallStreamObserver<PredictResponse>) observer;
        // A client that gave up makes the answer moot; without a handler, answering it would throw.
        call.setOnCancelHandler(() -> { });
        try {
            predictions.submit("grpc", request.getModelSpec(), request.getOutputFilterList(),
                    signature -> inputs(request, signature), new Responder(call));
        } catch (ServingError e) {
            call.onError(GrpcCalls.status(e));
        } catch (RuntimeException e) {
            call.onError(Status.INTERNAL.withDescription("the model server failed: " + e).withCause(e).asRuntimeException());
        }
    }

    @Override
    public void getModelMetadata(GetModelMetadataRequest request, StreamObserver<GetModelMetadataResponse> observer) {
        GrpcCalls.respond(observer, () -> metadata(models, request));
    }

    private static Map<String, InputSource> inputs(PredictRequest request, ModelSignature signature) {
        Map<String, InputSource> inputs = new LinkedHashMap<>();
        request.getInputsMap().forEach((alias, tensor) ->
                inputs.put(alias, TensorProtoCodec.input(signature.input(alias), tensor, signature)));
        return inputs;
    }

    private record Responder(ServerCallStreamObserver<PredictResponse> call) implements PredictionTask.Responder {

        @Override
        public void respond(LoadedModel model, ModelSignature signature, List<TensorSpec> fetches,
                            List<OutputSlice> outputs) {
            PredictResponse.Builder response = PredictResponse.newBuilder()
                    .setModelSpec(answered(model).setSignatureName(signature.key()));
            for (int i = 0; i < fetches.size(); i++) {
                response.putOutputs(fetches.get(i).alias(), TensorProtoCodec.toProto(outputs.get(i)));
            }
            call.onNext(response.build());
            call.onCompleted();
        }

        @Override
        public void fail(ServingError error) {
            call.onError(GrpcCalls.status(error));
        }
    }

    /** The signatures of the version asked for; the REST API answers from the same response. */
    static GetModelMetadataResponse metadata(ServedModels models, GetModelMetadataRequest request) {
        for (String field : request.getMetadataFieldList()) {
            if (!SIGNATURE_DEF.equals(field)) {
                throw ServingError.invalidArgument("metadata field '" + field + "' is not supported; ask for "
                        + SIGNATURE_DEF);
            }
        }
        try (ServedModels.Lease lease = models.acquire(request.getModelSpec())) {
            return GetModelMetadataResponse.newBuilder()
                    .setModelSpec(answered(lease.model()))
                    .putMetadata(SIGNATURE_DEF, Any.pack(lease.model().signatureDefs()))
                    .build();
        }
    }

    private static ModelSpec.Builder answered(LoadedModel model) {
        return ModelSpec.newBuilder().setName(model.name()).setVersion(Int64Value.of(model.version()));
    }
}
