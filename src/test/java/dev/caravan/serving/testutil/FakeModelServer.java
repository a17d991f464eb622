package dev.caravan.serving.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import com.google.protobuf.Int64Value;
import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.PredictionServiceGrpc;
import dev.caravan.serving.api.TensorProto;
import dev.caravan.smoketest.SampleDigit;
import dev.caravan.smoketest.SampleDigits;
import dev.caravan.storage.S3Location;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

/**
 * A serving backend without TensorFlow: "serving" a version only records it, and its gRPC predict answers the shipped
 * sample digits with their labels, as the version served, so the smoke test passes against whatever is promoted.
 */
public final class FakeModelServer implements ServingBackend, AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final Map<String, Long> served = new ConcurrentHashMap<>();
    private final List<SampleDigit> digits = SampleDigits.load();
    private final Server server;

    private FakeModelServer() {
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(HOST, 0)).addService(new Predictions()).build();
    }

    /** A started server on a free loopback port. */
    public static FakeModelServer start() {
        FakeModelServer fake = new FakeModelServer();
        try {
            fake.server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("the fake model server did not start", e);
        }
        return fake;
    }

    @Override
    public void serve(String model, long version, S3Location export) {
        served.put(model, version);
    }

    @Override
    public void stop(String model) {
        served.remove(model);
    }

    @Override
    public OptionalLong servingVersion(String model) {
        Long version = served.get(model);
        return version == null ? OptionalLong.empty() : OptionalLong.of(version);
    }

    @Override
    public ServingEndpoint endpoint(String model) {
        return new ServingEndpoint(HOST, server.getPort(), 0);
    }

    @Override
    public void close() {
        server.shutdownNow();
    }

    private final class Predictions extends PredictionServiceGrpc.PredictionServiceImplBase {

        @Override
        public void predict(PredictRequest request, StreamObserver<PredictResponse> answer) {
            String model = request.getModelSpec().getName();
            Long version = served.get(model);
            if (version == null) {
                answer.onError(Status.NOT_FOUND.withDescription("model " + model + " is not served").asRuntimeException());
                return;
            }
            answer.onNext(PredictResponse.newBuilder()
                    .setModelSpec(ModelSpec.newBuilder().setName(model).setVersion(Int64Value.of(version)))
                    .putOutputs("classes", TensorProto.newBuilder().setDtype(DataType.DT_INT64)
                            .addInt64Val(label(request.getInputsOrThrow("x"))).build())
                    .build());
            answer.onCompleted();
        }

        private long label(TensorProto image) {
            float[] pixels = new float[image.getFloatValCount()];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = image.getFloatVal(i);
            }
            return digits.stream().filter(d -> Arrays.equals(d.pixels(), pixels)).mapToLong(SampleDigit::label)
                    .findFirst().orElse(0);
        }
    }
}
