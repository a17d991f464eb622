package dev.caravan.api;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.storage.S3Settings;

/**
 * What this Caravan is and where its parts answer: the runtime, its home folder (where the CLI on the same machine
 * finds the API token), each model's TensorFlow Serving endpoints and the S3 endpoint.
 */
@RestController
class InfoController {

    /** A model server's addresses: gRPC as {@code host:port}, REST as a base URL. */
    record ModelServer(String grpc, String rest) {

        static ModelServer of(ServingEndpoint endpoint) {
            return new ModelServer(endpoint.host() + ":" + endpoint.grpcPort(),
                    "http://" + endpoint.host() + ":" + endpoint.restPort());
        }
    }

    /** {@code modelServer} is the first pipeline's, {@code modelServers} every model's by name. */
    record Info(String runtime, String home, ModelServer modelServer, Map<String, ModelServer> modelServers, String s3) {
    }

    private final Environment environment;
    private final Path home;
    private final PipelineCatalog pipelines;
    private final ServingBackend serving;
    private final S3Settings s3;

    InfoController(Environment environment, @Value("${caravan.home}") Path home, PipelineCatalog pipelines,
                   ServingBackend serving, S3Settings s3) {
        this.environment = environment;
        this.home = home;
        this.pipelines = pipelines;
        this.serving = serving;
        this.s3 = s3;
    }

    @GetMapping("/api/info")
    Info info() {
        Map<String, ModelServer> servers = new LinkedHashMap<>();
        for (PipelineDefinition pipeline : pipelines.all()) {
            servers.put(pipeline.model(), ModelServer.of(serving.endpoint(pipeline.model())));
        }
        return new Info(environment.acceptsProfiles(Profiles.of("kubernetes")) ? "kubernetes" : "local",
                home.toAbsolutePath().toString(), servers.values().stream().findFirst().orElse(null), servers,
                s3.endpoint() == null ? null : s3.endpoint().toString());
    }
}
