package dev.caravan.serving;

import java.util.function.Supplier;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

/** Answers a unary call: the response, or the refusal as a gRPC status carrying its message. */
final class GrpcCalls {

    private GrpcCalls() {
    }

    static <T> void respond(StreamObserver<T> observer, Supplier<T> call) {
        T response;
        try {
            response = call.get();
        } catch (ServingError e) {
            observer.onError(status(e));
            return;
        } catch (RuntimeException e) {
            observer.onError(Status.INTERNAL.withDescription("the model server failed: " + e).withCause(e).asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    static StatusRuntimeException status(ServingError error) {
        return Status.fromCodeValue(error.code().getNumber()).withDescription(error.getMessage()).asRuntimeException();
    }
}
