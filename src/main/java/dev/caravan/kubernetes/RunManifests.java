package dev.caravan.kubernetes;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.system.CaravanProperties;
import dev.caravan.training.TrainingRequest;

/** The objects a run would create in an environment, rendered from its settings without a cluster. */
public final class RunManifests {

    private final CaravanProperties caravan;
    private final KubernetesSettings settings;
    private final PipelineCatalog pipelines;

    private RunManifests(CaravanProperties caravan, KubernetesSettings settings, PipelineCatalog pipelines) {
        this.caravan = caravan;
        this.settings = settings;
        this.pipelines = pipelines;
    }

    /** Reads {@code config/application.yaml} and {@code config/application-<env>.yaml} as the service would. */
    public static RunManifests forEnvironment(String env, List<String> properties) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SettingsOnly.class)
                .web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF).logStartupInfo(false)
                .profiles(env).run(properties.stream().map(p -> "--" + p).toArray(String[]::new))) {
            return new RunManifests(context.getBean(CaravanProperties.class), context.getBean(KubernetesSettings.class),
                    context.getBean(PipelineCatalog.class));
        }
    }

    /**
     * The TFJob, TensorBoard and serving objects of a run of {@code pipeline} (null: the only one) with these
     * parameters, as YAML documents.
     */
    public String render(String pipeline, Map<String, String> parameters) {
        PipelineDefinition definition = pipelines.resolve(pipeline);
        String model = definition.model();
        String run = model + "-0000000000";
        S3Location bucket = new S3Location(definition.source().bucket(), "");
        S3Location export = bucket.resolve(caravan.modelsPrefix() + model + "/1/");
        TrainingRequest request = new TrainingRequest(run, definition.dataLocation(),
                bucket.resolve(caravan.trainingPrefix() + run + "/"), export, definition.trainer(),
                definition.parameters(parameters));
        S3Settings s3 = new S3Settings(URI.create(caravan.s3().useEmbedded() ? "http://" + caravan.s3().embedded().host()
                + ":" + caravan.s3().embedded().port() : caravan.s3().endpoint()), caravan.s3().region(), "", "", true);
        TensorBoardManifests tensorboard = new TensorBoardManifests(settings, s3);
        ServingManifests serving = new ServingManifests(settings, s3);
        List<HasMetadata> objects = List.of(new TrainingJobManifest(settings, s3).build(request),
                tensorboard.deployment(run, request.modelDir(), Instant.EPOCH), tensorboard.service(run),
                serving.deployment(model, 1, export), serving.service(model));
        StringBuilder yaml = new StringBuilder();
        objects.forEach(o -> yaml.append(Serialization.asYaml(o)));
        return yaml.toString();
    }

    /** The kubernetes settings flattened to {@code name=value}, for comparing environments. */
    @SuppressWarnings("unchecked")
    public Map<String, String> settings() {
        Map<String, String> flat = new TreeMap<>();
        flatten("caravan.kubernetes", Serialization.jsonMapper().convertValue(settings, Map.class), flat);
        pipelines.all().forEach(p -> flat.put("caravan.pipelines." + p.name() + ".trainer.timeout",
                p.trainer().timeout().toString()));
        return flat;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object value, Map<String, String> into) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix + "." + k, v, into));
        } else {
            into.put(prefix, String.valueOf(value));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({CaravanProperties.class, KubernetesSettings.class})
    @Import(PipelineCatalog.class)
    static class SettingsOnly {
    }
}
