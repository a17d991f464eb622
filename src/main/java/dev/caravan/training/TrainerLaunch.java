package dev.caravan.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the local backend starts for one training: the trainer's command line, its environment, the folder it starts
 * in (null: Caravan's own), how the run's log names it and, should it not start at all, what to check.
 */
record TrainerLaunch(List<String> command, Map<String, String> environment, Path directory, String description,
        String whatToCheck) {

    /** Put on a built-in trainer's command line, so a process list shows which run a trainer JVM belongs to. */
    static final String RUN_PROPERTY = "caravan.training.run";
    static final String BUILTIN_CLASS = MnistTrainer.class.getName();

    TrainerLaunch {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }

    /** A built-in trainer: {@link MnistTrainer} in a child JVM; {@code CARAVAN_TRAINER} in the contract picks the model. */
    static TrainerLaunch builtin(String builtin, String runName, Map<String, String> contract, String javaExecutable,
            String classPath, List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable);
        command.add("-D" + RUN_PROPERTY + "=" + runName);
        // Out of heap, a JVM may be too short of memory to print why, or limp on with a dead thread: this makes it
        // exit at once, the VM itself printing "java.lang.OutOfMemoryError" for the log's tail. The options can undo it.
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(jvmOptions);
        command.add(BUILTIN_CLASS);
        Map<String, String> env = new LinkedHashMap<>(contract);
        // Not -cp: Linux shows a process only the first 4 KB of its command line, and the run's marker must be seen.
        env.put("CLASSPATH", classPath);
        return new TrainerLaunch(command, env, null, "built-in " + builtin,
                "check the java executable given to the local training backend");
    }

    /**
     * A pipeline's own trainer: its {@code trainer.command}, run as given (no shell) in the run folder, so that what
     * it writes next to itself stays with the run.
     */
    static TrainerLaunch command(List<String> command, Map<String, String> contract, Path runDir) {
        if (command.isEmpty()) {
            throw new TrainingException("the pipeline's trainer has neither builtin nor command; give one of them in"
                    + " its pipeline file");
        }
        return new TrainerLaunch(command, contract, runDir, "command " + command, "check trainer.command in the"
                + " pipeline file: its program must be installed and executable, and named by an absolute path or found"
                + " on the PATH (a relative path starts from the run folder " + runDir + ")");
    }
}
