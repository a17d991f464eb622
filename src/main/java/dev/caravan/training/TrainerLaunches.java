package dev.caravan.training;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.caravan.storage.S3Settings;

/**
 * How the local backend launches a run's trainer: a built-in one as a JVM with this {@code java}, class path and
 * options, a pipeline's command in the run folder; both with {@code environment}, then the {@link TrainerEnvironment}
 * contract for {@code s3}, then what one process gets of its own (a replica's {@code TF_CONFIG}).
 */
record TrainerLaunches(String javaExecutable, String classPath, List<String> jvmOptions,
        Map<String, String> environment, S3Settings s3) {

    TrainerLaunches {
        jvmOptions = List.copyOf(jvmOptions);
        environment = Map.copyOf(environment);
    }

    /** The launch of {@code replica} (the chief: the single trainer when {@code own} is empty), announced in its log. */
    TrainerLaunch launch(TrainingRequest request, RunFolder run, Replica replica, Map<String, String> own) {
        Map<String, String> contract = new LinkedHashMap<>(environment);
        contract.putAll(TrainerEnvironment.of(request, s3));
        contract.putAll(own);
        TrainerLaunch launch = request.trainer().isBuiltin()
                ? TrainerLaunch.builtin(request.trainer().builtin(), request.runName(), contract, javaExecutable,
                        classPath, jvmOptions)
                : TrainerLaunch.command(request.trainer().command(), contract, run.dir());
        String tfConfig = own.get(TfConfig.VARIABLE);
        run.appendToLog(replica, String.format("%n=== %s starting %s of run %s (%s): parameters %s, data %s, export %s%s%n",
                Instant.now(), tfConfig == null ? "the trainer" : "replica " + replica, request.runName(),
                launch.description(), new TreeMap<>(request.parameters()), request.dataDir(), request.exportDir(),
                tfConfig == null ? "" : ", " + TfConfig.VARIABLE + " " + tfConfig));
        return launch;
    }
}
