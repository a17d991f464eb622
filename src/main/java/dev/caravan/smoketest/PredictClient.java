package dev.caravan.smoketest;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.Int64Value;
import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.PredictResponse;
import dev.caravan.serving.api.PredictionServiceGrpc;
import dev.caravan.serving.api.TensorProto;
import dev.caravan.serving.api.TensorShapeProto;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;

/**
 * A TensorFlow Serving gRPC client for digit classifiers with the MNIST signature: input {@code x} float32
 * [-1,28,28], outputs {@code classes} and {@code predictions}. Works with TensorFlow Serving and Caravan's server.
 */
public final class PredictClient implements AutoCloseable {

    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    private final String host;
    private final int port;
    private final Duration deadline;
    private final ManagedChannel channel;
    private final PredictionServiceGrpc.PredictionServiceBlockingStub stub;

    public PredictClient(String host, int port) {
        this(host, port, DEFAULT_DEADLINE);
    }

    /** A client whose every call fails with a clear message after {@code deadline} instead of hanging. */
    public PredictClient(String host, int port, Duration deadline) {
        this.host = host;
        this.port = port;
        this.deadline = deadline;
        this.channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
        this.stub = PredictionServiceGrpc.newBlockingStub(channel);
    }

    /** What the model said about one digit, and which version said it. */
    public record Prediction(String model, long version, int digit, float[] probabilities) {
    }

    /**
     * Classifies one 28x28 digit (intensities 0..1, row by row) with {@code version} of {@code model}, or the version
     * served when none is given.
     *
     * @throws PredictException when the server cannot be reached, does not answer in time or refuses the request
     */
    public Prediction predict(String model, OptionalLong version, float[] pixels) {
        ModelSpec.Builder spec = ModelSpec.newBuilder().setName(model);
        version.ifPresent(v -> spec.setVersion(Int64Value.of(v)));
        PredictRequest request = PredictRequest.newBuilder().setModelSpec(spec).putInputs("x", image(pixels)).build();
        PredictResponse response;
        try {
            response = stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).predict(request);
        } catch (StatusRuntimeException e) {
            throw new PredictException(explain(e, model), e);
        }
        return read(response, model);
    }

    /** host:port, for messages. */
    public String address() {
        return host + ":" + port;
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }

    private static TensorProto image(float[] pixels) {
        if (pixels.length != MnistShape.PIXELS) {
            throw new IllegalArgumentException("a digit has 28x28 = 784 pixels, not " + pixels.length);
        }
        TensorProto.Builder tensor = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(
                TensorShapeProto.newBuilder().addDim(dim(1)).addDim(dim(MnistShape.ROWS)).addDim(dim(MnistShape.COLUMNS)));
        for (float pixel : pixels) {
            tensor.addFloatVal(pixel);
        }
        return tensor.build();
    }

    private static TensorShapeProto.Dim dim(long size) {
        return TensorShapeProto.Dim.newBuilder().setSize(size).build();
    }

    private Prediction read(PredictResponse response, String model) {
        TensorProto predictions = response.getOutputsMap().get("predictions");
        TensorProto classes = response.getOutputsMap().get("classes");
        if (predictions == null && classes == null) {
            throw new PredictException("model " + model + " at " + address() + " answered without 'classes' or "
                    + "'predictions' outputs (it sent " + response.getOutputsMap().keySet() + "); is it a digit classifier "
                    + "with the MNIST signature?", null);
        }
        float[] probabilities = predictions == null ? new float[0] : OutputTensors.floats(predictions);
        int digit = classes != null ? (int) OutputTensors.firstInteger(classes) : argMax(probabilities);
        return new Prediction(model, response.getModelSpec().getVersion().getValue(), digit, probabilities);
    }

    private static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            best = values[i] > values[best] ? i : best;
        }
        return best;
    }

    private String explain(StatusRuntimeException e, String model) {
        return GrpcFailures.explain(e, address(), deadline, "does model " + model + " take x float32 [-1,28,28]?");
    }
}
