package dev.caravan.smoketest;

import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

import dev.caravan.serving.api.PredictionServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The one way Caravan calls a model server's {@code PredictionService}: Camel's gRPC producer, at the host and port
 * the headers name, with the method the header {@value #METHOD} names ({@code Predict} or {@code GetModelMetadata})
 * and the request in the body. A server that is briefly unreachable (restarting, a pod not yet ready) is retried;
 * every other failure reaches the caller at once.
 */
final class PredictionServiceRoute extends RouteBuilder {

    static final String ENDPOINT = "direct:caravan-prediction-service";
    static final String ROUTE_ID = "prediction-service";
    static final String HOST = "CaravanServingHost";
    static final String PORT = "CaravanServingGrpcPort";
    static final String METHOD = "CaravanGrpcMethod";

    // The service's Java name: camel-grpc finds PredictionServiceGrpc next to it.
    private static final String SERVICE = "dev.caravan.serving.api."
            + PredictionServiceGrpc.SERVICE_NAME.substring(PredictionServiceGrpc.SERVICE_NAME.lastIndexOf('.') + 1);

    static final int REDELIVERIES = 3;

    @Override
    public void configure() {
        // The caller turns a failure into its own answer (a failed smoke test, an error line): no second report here.
        errorHandler(defaultErrorHandler().logExhausted(false));
        onException(StatusRuntimeException.class)
                .onWhen(PredictionServiceRoute::unavailable)
                .maximumRedeliveries(REDELIVERIES)
                .redeliveryDelay(200)
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .retryAttemptedLogLevel(LoggingLevel.WARN)
                .logRetryStackTrace(false)
                .logExhausted(false)
                .handled(false);

        from(ENDPOINT).routeId(ROUTE_ID)
                .toD("grpc:${header." + HOST + "}:${header." + PORT + "}/" + SERVICE
                        + "?method=${header." + METHOD + "}&synchronous=true");
    }

    private static boolean unavailable(Exchange exchange) {
        StatusRuntimeException failure = exchange.getException(StatusRuntimeException.class);
        return failure != null && failure.getStatus().getCode() == Status.Code.UNAVAILABLE;
    }
}
