package dev.caravan.serving;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where the local model server listens ({@code caravan.serving.*}): TensorFlow Serving's ports, gRPC 8500 and REST
 * 8501, by default; 0 picks a free port.
 */
@Validated
@ConfigurationProperties("caravan.serving")
record ServingProperties(@NotBlank String host, @Min(0) @Max(65535) int grpcPort, @Min(0) @Max(65535) int restPort) {
}
