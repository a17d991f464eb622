package dev.caravan.kubernetes.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.kubernetes.JobKind;
import dev.caravan.storage.FolderOwner;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;
import dev.caravan.testutil.Pipelines;
import dev.caravan.training.LocalTrainingBackend;
import dev.caravan.training.TrainerEnvironment;
import dev.caravan.training.TrainingRequest;

/**
 * Runs a TFJob's containers as kubelets would, minus the image: the real built-in trainer, as child JVMs, with each
 * container's environment (Secret references resolved from the API server). A job of one Chief runs the trainer its
 * {@code CARAVAN_TRAINER} names; an export trained once for the same trainer, steps, batch size and learning rate is
 * copied to the next such job's {@code TF_EXPORT_DIR} instead of trained again, and {@link #pretrain} trains one
 * ahead, in the background, while the test starts Caravan. A job of several replicas starts every one of them, Chief,
 * Workers and PS, with the {@code TF_CONFIG} the training operator would inject ({@link ReplicaProcesses}); their
 * logs are in {@code <workDir>/jobs/<job>/<replica>.log}.
 */
public final class TrainerPods implements Consumer<GenericKubernetesResource> {

    private final KubernetesClient client;
    private final String namespace;
    private final Path workDir;
    private final Map<String, CompletableFuture<S3Location>> exports = new ConcurrentHashMap<>();
    // One training at a time: two at once only fight over the cores.
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "trainer-pods");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, ReplicaProcesses> clusters = new ConcurrentHashMap<>();
    private volatile boolean anyExport;
    private volatile String replicaMain = "dev.caravan.training.MnistTrainer";

    public TrainerPods(KubernetesClient client, String namespace, Path workDir) {
        this.client = client;
        this.namespace = namespace;
        this.workDir = workDir;
    }

    /** After the first training, every job gets a copy of its export, whatever its settings: for timing runs. */
    public TrainerPods reusingAnyExport() {
        this.anyExport = true;
        return this;
    }

    /** The replicas of a cluster run {@code mainClass} instead of the built-in trainer: for tests of the operator. */
    public TrainerPods runningReplicasAs(Class<?> mainClass) {
        this.replicaMain = mainClass.getName();
        return this;
    }

    /** Starts training, in the background, the export that jobs with these settings will be given a copy of. */
    public TrainerPods pretrain(S3Settings s3, S3Location dataDir, int steps, int batchSize, double learningRate) {
        String key = key(Pipelines.cnnTrainer().builtin(), steps, batchSize, learningRate);
        String name = "pretrained-" + steps + "-" + batchSize + "-" + learningRate;
        S3Location base = new S3Location(dataDir.bucket(), "pretrained/" + name + "/");
        TrainingRequest request = new TrainingRequest(name, dataDir, base.resolve("model/"), base.resolve("export/"),
                Pipelines.cnnTrainer(), Pipelines.parameters(steps, batchSize, learningRate));
        exports.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(() -> train(s3, request), background));
        return this;
    }

    /**
     * Trains (or copies) the job's model; throws with the trainer's message when it fails, as its pod would exit, or
     * a {@link ReplicaFailure} naming the replica of a cluster that failed.
     */
    @Override
    public void accept(GenericKubernetesResource job) {
        Map<String, Integer> counts = replicaCounts(job);
        if (counts.values().stream().mapToInt(Integer::intValue).sum() > 1) {
            runCluster(job, counts);
            return;
        }
        Map<String, String> env = environment(job);
        S3Settings s3 = S3Settings.fromEnvironment(env);
        // The built-in trainer the container's image would run, as MnistTrainer reads it.
        PipelineDefinition.Trainer trainer = new PipelineDefinition.Trainer(
                env.getOrDefault(TrainerEnvironment.CARAVAN_TRAINER, Pipelines.cnnTrainer().builtin()), List.of(), null,
                Map.of(), Pipelines.cnnTrainer().timeout());
        TrainingRequest request = new TrainingRequest(job.getMetadata().getName(),
                S3Location.parse(env.get(TrainerEnvironment.TF_DATA_DIR)),
                S3Location.parse(env.get(TrainerEnvironment.TF_MODEL_DIR)),
                S3Location.parse(env.get(TrainerEnvironment.TF_EXPORT_DIR)),
                trainer, Pipelines.parameters(Integer.parseInt(env.get(TrainerEnvironment.TF_TRAIN_STEPS)),
                        Integer.parseInt(env.get(TrainerEnvironment.TF_BATCH_SIZE)),
                        Double.parseDouble(env.get(TrainerEnvironment.TF_LEARNING_RATE))));
        String key = anyExport ? "any" : key(trainer.builtin(), request.trainSteps(),
                Integer.parseInt(request.parameters().get("batchSize")),
                Double.parseDouble(request.parameters().get("learningRate")));
        CompletableFuture<S3Location> mine = new CompletableFuture<>();
        CompletableFuture<S3Location> before = exports.putIfAbsent(key, mine);
        if (before != null) {
            copy(s3, before.join(), request.exportDir());
            return;
        }
        try {
            mine.complete(train(s3, request));
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /** Kills the processes of job {@code name}, as deleting a TFJob deletes its pods. */
    public void delete(String name) {
        ReplicaProcesses cluster = clusters.get(name);
        if (cluster != null) {
            cluster.stop();
        }
    }

    private void runCluster(GenericKubernetesResource job, Map<String, Integer> counts) {
        String name = job.getMetadata().getName();
        ReplicaProcesses cluster = new ReplicaProcesses(replicaMain, counts, type -> environment(job, type),
                workDir.resolve("jobs").resolve(name));
        clusters.put(name, cluster);
        try {
            cluster.run(Duration.ofSeconds(((Number) runPolicy(job).getOrDefault("activeDeadlineSeconds", 600))
                    .longValue()));
        } finally {
            clusters.remove(name);
        }
    }

    /** Replicas by type, in the order the job lists them. */
    @SuppressWarnings("unchecked")
    public static Map<String, Integer> replicaCounts(GenericKubernetesResource job) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        replicaSpecs(job).forEach((type, spec) -> counts.put(type,
                ((Number) ((Map<String, Object>) spec).getOrDefault("replicas", 1)).intValue()));
        return counts;
    }

    private S3Location train(S3Settings s3, TrainingRequest request) {
        new LocalTrainingBackend(workDir.resolve("runs"), s3, LocalTrainingBackend.currentJava(),
                System.getProperty("java.class.path"), List.of("-Xmx768m", "-XX:+UseSerialGC"),
                Map.of("TF_CPP_MIN_LOG_LEVEL", "2")).train(request, progress -> { });
        return request.exportDir();
    }

    private static String key(String trainer, int steps, int batchSize, double learningRate) {
        return trainer + "/" + steps + "/" + batchSize + "/" + learningRate;
    }

    /** The coordinator container's environment, with values from Secrets looked up as the kubelet does. */
    public Map<String, String> environment(GenericKubernetesResource job) {
        return environment(container(job));
    }

    /** The environment of the container of replica type {@code type} ({@code Chief}, {@code Worker}, {@code PS}). */
    public Map<String, String> environment(GenericKubernetesResource job, String type) {
        return environment(container(job, type));
    }

    private Map<String, String> environment(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), var.getValueFrom() == null ? var.getValue()
                    : secretValue(var.getValueFrom().getSecretKeyRef()));
        }
        return env;
    }

    /** The container the operator runs for the job's Chief (or first replica type). */
    public static Container container(GenericKubernetesResource job) {
        JobKind kind = JobKind.valueOf(job.getKind());
        return container(job, kind.replicaTypes().stream().filter(replicaSpecs(job)::containsKey).findFirst()
                .orElseThrow());
    }

    /** The container the operator runs for replica type {@code type}: the one named as the kind's operator expects. */
    @SuppressWarnings("unchecked")
    public static Container container(GenericKubernetesResource job, String type) {
        JobKind kind = JobKind.valueOf(job.getKind());
        Map<String, Object> replica = (Map<String, Object>) replicaSpecs(job).get(type);
        PodTemplateSpec template = Serialization.jsonMapper().convertValue(replica.get("template"), PodTemplateSpec.class);
        return template.getSpec().getContainers().stream().filter(c -> kind.containerName().equals(c.getName()))
                .findFirst().orElseThrow(() -> new IllegalStateException("no container named " + kind.containerName()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> replicaSpecs(GenericKubernetesResource job) {
        return (Map<String, Object>) spec(job).get(JobKind.valueOf(job.getKind()).replicaSpecsKey());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> runPolicy(GenericKubernetesResource job) {
        return (Map<String, Object>) spec(job).getOrDefault("runPolicy", Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource job) {
        return (Map<String, Object>) job.getAdditionalProperties().get("spec");
    }

    private String secretValue(SecretKeySelector ref) {
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        if (secret == null) {
            throw new IllegalStateException("CreateContainerConfigError: secret \"" + ref.getName() + "\" not found");
        }
        if (secret.getStringData() != null && secret.getStringData().containsKey(ref.getKey())) {
            return secret.getStringData().get(ref.getKey());
        }
        String encoded = secret.getData() == null ? null : secret.getData().get(ref.getKey());
        if (encoded == null) {
            throw new IllegalStateException("CreateContainerConfigError: couldn't find key " + ref.getKey()
                    + " in Secret " + namespace + "/" + ref.getName());
        }
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    private void copy(S3Settings s3, S3Location from, S3Location to) {
        try (ObjectStore store = ObjectStore.connect(s3)) {
            Path dir = Files.createTempDirectory(workDir, "export-");
            store.downloadDirectory(from.asPrefix(), dir);
            // The claim of the run that trained it is not part of the export: the new job's run claims its own folder.
            Files.deleteIfExists(dir.resolve(FolderOwner.KEY));
            store.uploadDirectory(dir, to.asPrefix(), "saved_model.pb");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
