package dev.caravan.serving;

import dev.caravan.serving.api.GetModelStatusRequest;
import dev.caravan.serving.api.GetModelStatusResponse;
import dev.caravan.serving.api.ModelServiceGrpc;
import io.grpc.stub.StreamObserver;

/** TensorFlow Serving's {@code ModelService}: GetModelStatus. */
final class GrpcModelService extends ModelServiceGrpc.ModelServiceImplBase {

    private final ServedModels models;

    GrpcModelService(ServedModels models) {
        this.models = models;
    }

    @Override
    public void getModelStatus(GetModelStatusRequest request, StreamObserver<GetModelStatusResponse> observer) {
        GrpcCalls.respond(observer, () -> status(models, request));
    }

    static GetModelStatusResponse status(ServedModels models, GetModelStatusRequest request) {
        return GetModelStatusResponse.newBuilder()
                .addAllModelVersionStatus(models.status(request.getModelSpec()))
                .build();
    }
}
