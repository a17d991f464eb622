package dev.caravan.smoketest;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.caravan.serving.api.PredictionServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;

/**
 * Bounds every call to a model server's {@code PredictionService} by {@code caravan.smoke-test.deadline}, so that a
 * stuck server fails the call instead of hanging it. Camel's gRPC component gives every interceptor bean to every
 * gRPC endpoint; calls to other services pass through untouched.
 */
final class PredictionServiceDeadline implements ClientInterceptor {

    private final Duration deadline;

    PredictionServiceDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    Duration deadline() {
        return deadline;
    }

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        if (!PredictionServiceGrpc.SERVICE_NAME.equals(method.getServiceName())) {
            return next.newCall(method, options);
        }
        return next.newCall(method, options.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
    }
}
