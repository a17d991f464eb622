package dev.caravan.definition;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * What decides whether a pipeline's trainer can run on the kubernetes runtime: the training job's {@code kind}
 * ({@code caravan.kubernetes.training.kind}), the GPUs each replica asks for ({@code ...gpu}), the images a
 * built-in trainer runs in ({@code ...image} on CPUs, {@code ...gpu-image} with GPUs) and the default replicas
 * ({@code ...workers}, {@code ...ps}).
 *
 * <p>The built-in trainer speaks TensorFlow's {@code TF_CONFIG}, which the training operator gives only a TFJob's
 * replicas. A PyTorchJob's replicas get {@code MASTER_ADDR}, {@code MASTER_PORT}, {@code WORLD_SIZE} and
 * {@code RANK}, and an MPIJob's Launcher must start every rank with {@code mpirun} (training-operator v1.9
 * {@code pytorch} and {@code mpi} controllers): both run only a trainer of the user's. The CPU image's TensorFlow
 * ({@code tensorflow-core-native}, classifier {@code linux-x86_64}) links no CUDA, so GPUs need the image built with
 * the {@code linux-x86_64-gpu} classifier ({@code ./mvnw -Pgpu}).
 */
public record KubernetesTrainer(String kind, int gpu, String image, String gpuImage, int workers, int ps) {

    static final String PREFIX = "caravan.kubernetes.training.";

    /** The settings of {@code environment}, with the defaults of {@code config/application.yaml} where unset. */
    public static KubernetesTrainer of(Environment environment) {
        Binder binder = Binder.get(environment);
        String image = binder.bind(PREFIX + "image", String.class).orElse("");
        return new KubernetesTrainer(binder.bind(PREFIX + "kind", String.class).orElse("TFJob"),
                binder.bind(PREFIX + "gpu", Integer.class).orElse(0), image,
                binder.bind(PREFIX + "gpu-image", String.class).orElse(""),
                binder.bind(PREFIX + "workers", Integer.class).orElse(0), binder.bind(PREFIX + "ps", Integer.class).orElse(0));
    }

    /** The image a built-in trainer's pods run: the GPU variant when they ask for GPUs. */
    public String builtinImage() {
        return gpu > 0 ? gpuImage : image;
    }

    /** Why {@code trainer} cannot run with these settings, each with what to change; empty when it can. */
    public List<String> refusals(PipelineDefinition.Trainer trainer) {
        List<String> refusals = new ArrayList<>();
        if (!trainer.isBuiltin()) {
            return refusals;
        }
        if ("PyTorchJob".equals(kind)) {
            refusals.add(PREFIX + "kind=PyTorchJob runs only a trainer of your own (trainer.image and"
                    + " trainer.command): the training operator gives a PyTorchJob's replicas MASTER_ADDR, MASTER_PORT,"
                    + " WORLD_SIZE and RANK, which the built-in trainer " + trainer.builtin() + " does not read (it"
                    + " speaks TF_CONFIG); use kind TFJob, or give the pipeline a trainer of your own");
        } else if ("MPIJob".equals(kind)) {
            refusals.add(PREFIX + "kind=MPIJob runs only a trainer of your own (trainer.image and trainer.command):"
                    + " an MPIJob's Launcher must start the ranks on its Workers with mpirun, and the built-in trainer "
                    + trainer.builtin() + " does not (it speaks TF_CONFIG, and would train alone in the Launcher); use"
                    + " kind TFJob, or give the pipeline a trainer.command that calls mpirun");
        }
        if ("TFJob".equals(kind) && workers > 0 && ps == 0) {
            refusals.add(PREFIX + "workers=" + workers + " with " + PREFIX + "ps=0: the built-in trainer "
                    + trainer.builtin() + " does parameter-server training, where the weights live on the PS; set "
                    + PREFIX + "ps=1 or more, or workers=0 for one process");
        }
        if (gpu > 0 && (gpuImage == null || gpuImage.isBlank() || gpuImage.equals(image))) {
            refusals.add(PREFIX + "gpu=" + gpu + " asks for GPUs, but the built-in trainer would run in the CPU image "
                    + image + " (" + PREFIX + "image), whose TensorFlow links no CUDA and would leave the GPUs idle;"
                    + " set " + PREFIX + "gpu-image to the GPU variant (built with ./mvnw -Pgpu, e.g. " + image
                    + "-gpu; now " + (gpuImage == null || gpuImage.isBlank() ? "empty" : gpuImage) + "), or gpu=0");
        }
        return refusals;
    }
}
