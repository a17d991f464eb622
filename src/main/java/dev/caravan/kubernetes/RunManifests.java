package dev.caravan.kubernetes;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.pipeline.RunLayout;
import dev.caravan.snapshot.SnapshotSettings;
import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Properties;
import dev.caravan.storage.S3Settings;
import dev.caravan.training.TrainingRequest;

/** The objects a run would create in an environment, rendered from its settings without a cluster. */
public final class RunManifests {

    private static final Path K8S = Path.of("k8s");

    private final String env;
    private final boolean overlay;
    private final S3Properties s3;
    private final RunLayout layout;
    private final KubernetesSettings settings;
    private final PipelineCatalog pipelines;
    private final SnapshotSettings snapshots;

    private RunManifests(String env, boolean overlay, S3Properties s3, RunLayout layout, KubernetesSettings settings,
                         PipelineCatalog pipelines, SnapshotSettings snapshots) {
        this.snapshots = snapshots;
        this.env = env;
        this.overlay = overlay;
        this.s3 = s3;
        this.layout = layout;
        this.settings = settings;
        this.pipelines = pipelines;
    }

    /**
     * Reads the settings as Caravan's pod in {@code env} would: {@code config/application.yaml} and
     * {@code config/application-<env>.yaml}, with the environment variables that {@code k8s/overlays/<env>} gives the
     * container (its {@code caravan-env} literals) in place of this machine's; {@code properties} ({@code name=value})
     * override both.
     */
    public static RunManifests forEnvironment(String env, List<String> properties) {
        Map<String, Object> overlay = new LinkedHashMap<>(OverlayEnvironment.of(K8S, env));
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource("k8s/overlays/" + env, overlay));
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SettingsOnly.class)
                .web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF).logStartupInfo(false).environment(environment)
                .profiles(env).run(properties.stream().map(p -> "--" + p).toArray(String[]::new))) {
            return new RunManifests(env, !overlay.isEmpty(), context.getBean(S3Properties.class),
                    context.getBean(RunLayout.class), context.getBean(KubernetesSettings.class),
                    context.getBean(PipelineCatalog.class), context.getBean(SnapshotSettings.class));
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
        S3Location export = layout.modelBase(definition).resolve("1/");
        // A run reads the frozen copy of its snapshot; the hash here stands for the one the trigger freezes.
        S3Location data = snapshots.modelSnapshots(definition).resolve("<snapshot-hash>/");
        TrainingRequest request = new TrainingRequest(run, data, layout.modelDir(definition, run),
                export, definition.trainer(), definition.parameters(parameters));
        S3Settings s3 = new S3Settings(URI.create(this.s3.useEmbedded() ? "http://" + this.s3.embedded().host()
                + ":" + this.s3.embedded().port() : this.s3.endpoint()), this.s3.region(), "", "", true);
        TensorBoardManifests tensorboard = new TensorBoardManifests(settings, s3);
        ServingManifests serving = new ServingManifests(settings, s3);
        List<HasMetadata> objects = List.of(new TrainingJobManifest(settings, s3).build(request),
                tensorboard.deployment(run, request.modelDir(), Instant.EPOCH), tensorboard.service(run),
                serving.deployment(model, 1, export), serving.service(model), serving.podDisruptionBudget(model));
        StringBuilder yaml = new StringBuilder();
        objects.forEach(o -> yaml.append(Serialization.asYaml(o)));
        return yaml.toString();
    }

    /** Where the values come from, e.g. "config/application.yaml, config/application-prod.yaml and ...". */
    public String source() {
        return "config/application.yaml, config/application-" + env + ".yaml" + (overlay ? " and the "
                + OverlayEnvironment.CONFIG_MAP + " variables of " + OverlayEnvironment.overlay(K8S, env)
                : " (there is no k8s/overlays/" + env + ")");
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
    @EnableConfigurationProperties({S3Properties.class, RunLayout.class, KubernetesSettings.class,
            SnapshotSettings.class})
    @Import(PipelineCatalog.class)
    static class SettingsOnly {
    }
}
