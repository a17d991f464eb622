package dev.caravan.serving;

import java.util.List;

import com.google.protobuf.Any;
import com.google.protobuf.Int64Value;
import dev.caravan.serving.api.GetModelMetadataRequest;
import dev.caravan.serving.api.GetModelMetadataResponse;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.PredictionServiceGrpc;
import io.grpc.stub.StreamObserver;
import org.tensorflow.Result;

/** TensorFlow Serving's {@code PredictionService}: Predict and GetModelMetadata. */
final class GrpcPredictionService extends PredictionServiceGrpc.PredictionServiceImplBase {

    static final String SIGNATURE_DEF = "signature_def";

    private final ServedModels models;

    GrpcPredictionService(ServedModels models) {
        this.models = models;
    }

    @Override
    public void predict(PredictRequest request, StreamObserver<PredictResponse> observer) {
        GrpcCalls.respond(observer, () -> predict(request));
    }

    @Override
    public void getModelMetadata(GetModelMetadataRequest request, StreamObserver<GetModelMetadataResponse> observer) {
        GrpcCalls.respond(observer, () -> metadata(models, request));
    }

    PredictResponse predict(PredictRequest request) {
        try (ServedModels.Lease lease = models.acquire(request.getModelSpec())) {
            LoadedModel model = lease.model();
            ModelSignature signature = model.signature(request.getModelSpec().getSignatureName());
            List<TensorSpec> fetches = signature.outputs(request.getOutputFilterList());
            try (Feeds feeds = Feeds.of(signature, request.getInputsMap(), TensorProtoCodec::toTensor);
                 Result result = signature.run(model.session(), feeds.tensors(), fetches)) {
                PredictResponse.Builder response = PredictResponse.newBuilder()
                        .setModelSpec(answered(model).setSignatureName(signature.key()));
                for (int i = 0; i < fetches.size(); i++) {
                    response.putOutputs(fetches.get(i).alias(), TensorProtoCodec.toProto(result.get(i)));
                }
                return response.build();
            }
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
