package dev.caravan.serving;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictRequest;
import dev.caravan.serving.api.TensorProto;
import dev.caravan.serving.api.TensorShapeProto;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;

/**
 * A TensorFlow Serving REST predict body ({@code {"instances": ...}} or {@code {"inputs": ...}}) turned into the
 * gRPC {@link PredictRequest} it means, for clients that hold JSON. It is read as the REST API reads it; since JSON
 * numbers carry no dtype, the caller gives each input's dtype from the model's signature.
 */
public final class PredictRequestJson {

    private final JsonPredictRequest parsed;

    private PredictRequestJson(JsonPredictRequest parsed) {
        this.parsed = parsed;
    }

    /**
     * Reads a request body; fields other than the request's own are ignored.
     *
     * @throws IllegalArgumentException saying why the text is not a predict request
     */
    public static PredictRequestJson parse(String json) {
        try {
            return new PredictRequestJson(JsonPredictRequest.parse(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
        } catch (ServingError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("it is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("it cannot be read: " + e.getMessage(), e);
        }
    }

    /** The signature the request names, or empty for {@code serving_default}. */
    public String signatureName() {
        return parsed.signatureName();
    }

    /** Whether the row format ({@code instances}) was used: TensorFlow Serving then answers {@code predictions}. */
    public boolean rowFormat() {
        return parsed.rows();
    }

    /**
     * The request for {@code model}, each input a tensor of the dtype {@code inputTypes} gives its alias.
     *
     * @throws IllegalArgumentException naming an input the model does not take, or a dtype this code cannot write
     */
    public PredictRequest toProto(ModelSpec model, Map<String, DataType> inputTypes) {
        PredictRequest.Builder request = PredictRequest.newBuilder().setModelSpec(model);
        try {
            tensors(inputTypes).forEach((alias, tensor) -> {
                DataType dtype = inputTypes.get(alias);
                if (dtype == null) {
                    throw new IllegalArgumentException("the model takes no input '" + alias + "'; its inputs are "
                            + new TreeSet<>(inputTypes.keySet()));
                }
                TensorType type = TensorType.of(dtype, "input '" + alias + "'");
                request.putInputs(alias, proto(tensor.typed(type, alias), type));
            });
        } catch (ServingError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return request.build();
    }

    private Map<String, JsonTensor> tensors(Map<String, DataType> inputTypes) {
        if (parsed.unnamed() == null) {
            return parsed.named();
        }
        if (inputTypes.size() != 1) {
            throw new IllegalArgumentException("the model takes " + inputTypes.size() + " inputs "
                    + new TreeSet<>(inputTypes.keySet()) + "; name each one, as in {\"instances\": [{\"x\": ...}]}");
        }
        return Map.of(inputTypes.keySet().iterator().next(), parsed.unnamed());
    }

    // The values go through a heap buffer of the dtype's layout: the server's own copy and append code then
    // converts them, exactly as it does for requests it receives and answers it sends.
    private static TensorProto proto(JsonTensor tensor, TensorType type) {
        long[] shape = tensor.shape();
        long count = 1;
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
        for (long size : shape) {
            dims.addDim(TensorShapeProto.Dim.newBuilder().setSize(size));
            count *= size;
        }
        // Direct memory: typed views of a heap byte buffer cannot be made.
        ByteDataBuffer values = DataBuffers.of(ByteBuffer.allocateDirect(Math.toIntExact(count * type.bytes()))
                .order(ByteOrder.nativeOrder()));
        tensor.copyTo(values, 0);
        TensorProto.Builder proto = TensorProto.newBuilder().setDtype(type.dtype()).setTensorShape(dims);
        type.appendTypedValues(values, 0, Math.toIntExact(count), proto);
        return proto.build();
    }
}
