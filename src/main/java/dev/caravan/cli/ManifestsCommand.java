package dev.caravan.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.caravan.kubernetes.RunManifests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code caravan manifests}: prints the objects a run would create in an environment, without a cluster, with the
 * values its pod there has (its config file and its overlay's variables).
 */
@Command(name = "manifests", mixinStandardHelpOptions = true,
        description = "Prints, as YAML, the TFJob, TensorBoard and serving objects a run would create in an environment, "
                + "with config/application-<env>.yaml and the caravan-env variables of k8s/overlays/<env>.")
class ManifestsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--env", required = true, description = "Environment: dev, staging or prod (config/application-<env>.yaml).")
    String env;

    @Option(names = {"-m", "--pipeline"}, description = "The pipeline (or model) whose run to render; none for the only one.")
    String pipeline;

    @Option(names = {"-p", "--parameter"}, description = "A run parameter, e.g. -p trainSteps=2000.")
    Map<String, String> parameters = new LinkedHashMap<>();

    @Option(names = "--set", description = "A setting override, e.g. --set caravan.kubernetes.training.workers=2.")
    List<String> settings = new ArrayList<>();

    @Override
    public Integer call() {
        RunManifests manifests = RunManifests.forEnvironment(env, settings);
        spec.commandLine().getOut().println("# " + env + ": " + manifests.source());
        spec.commandLine().getOut().print(manifests.render(pipeline, parameters));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
