package dev.caravan;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The Caravan service: embedded S3, trigger routes, the retrain job, the model server and the HTTP API. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CaravanApplication {
}
