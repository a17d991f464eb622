package dev.caravan.smoketest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.imageio.ImageIO;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.caravan.serving.PredictRequestJson;
import dev.caravan.serving.api.DataType;
import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.PredictResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The steps of a route that scores files with a served model (routes/example-batch-scoring.camel.yaml): a JSON
 * request line becomes a gRPC request to the model's server, the answer becomes the JSON line TensorFlow Serving's
 * REST API would give, and a line the model refuses becomes an {@code {"error": ...}} line.
 */
@Component("batchScoring")
public class BatchScoring {

    /** Header: the served model to ask. */
    public static final String MODEL = "CaravanModel";
    private static final String SIGNATURES = "CaravanSignatures";
    private static final String ROW_FORMAT = "CaravanRowFormat";

    private final ModelServerClient client;

    BatchScoring(ModelServerClient client) {
        this.client = client;
    }

    /** Starts a file: its lines share one lookup of the model's input dtypes per signature. */
    public void start(Exchange exchange) {
        exchange.setProperty(SIGNATURES, new ConcurrentHashMap<String, Map<String, DataType>>());
    }

    /** A picture of a digit (PNG, JPEG, GIF or BMP) as the one request line that asks the model what it shows. */
    public String digitRequest(byte[] picture) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(picture));
        if (image == null) {
            throw new IllegalArgumentException("the file is not a picture this program can read; use PNG, JPEG, GIF or BMP");
        }
        return SmokeSamples.imageRequest(DigitImage.fromImage(image), MnistShape.ROWS, MnistShape.COLUMNS);
    }

    /** Turns the body, one JSON request line, into the gRPC request, with the headers that send it to the server. */
    public void request(Exchange exchange) {
        Message message = exchange.getMessage();
        String model = message.getHeader(MODEL, String.class);
        PredictRequestJson json = PredictRequestJson.parse(message.getBody(String.class));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, DataType>> signatures = exchange.getProperty(SIGNATURES, Map.class);
        Map<String, DataType> inputTypes = signatures.computeIfAbsent(json.signatureName(),
                name -> client.inputTypes(model, name));
        ModelSpec.Builder spec = ModelSpec.newBuilder().setName(model);
        if (!json.signatureName().isEmpty()) {
            spec.setSignatureName(json.signatureName());
        }
        exchange.setProperty(ROW_FORMAT, json.rowFormat());
        message.getHeaders().putAll(client.headers(model, "Predict"));
        message.setBody(json.toProto(spec.build(), inputTypes));
    }

    /** The model's answer as one JSON line. */
    public String answer(Exchange exchange) {
        PredictResponse response = exchange.getMessage().getBody(PredictResponse.class);
        if (response == null) {
            throw new IllegalStateException("the model server's answer is missing from the message; send the line to "
                    + PredictionServiceRoute.ENDPOINT + " before this step");
        }
        return ResponseJson.of(response, exchange.getProperty(ROW_FORMAT, true, Boolean.class)) + "\n";
    }

    /** Whether the failure is the line's own (not JSON, not what the model takes), so the others can still go. */
    public boolean refused(Exchange exchange) {
        Throwable failure = failure(exchange);
        StatusRuntimeException status = status(failure);
        if (status != null) {
            Status.Code code = status.getStatus().getCode();
            return code == Status.Code.INVALID_ARGUMENT || code == Status.Code.FAILED_PRECONDITION
                    || code == Status.Code.OUT_OF_RANGE;
        }
        return failure instanceof IllegalArgumentException;
    }

    /** The line's failure as TensorFlow Serving's REST API reports one: {@code {"error": "..."}}. */
    public String error(Exchange exchange) {
        Throwable failure = failure(exchange);
        StatusRuntimeException status = status(failure);
        String reason = status != null && status.getStatus().getDescription() != null
                ? status.getStatus().getDescription() : String.valueOf(failure.getMessage());
        return JsonNodeFactory.instance.objectNode().put("error", reason) + "\n";
    }

    private static Throwable failure(Exchange exchange) {
        return exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    private static StatusRuntimeException status(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof StatusRuntimeException status) {
                return status;
            }
        }
        return null;
    }
}
