package dev.caravan.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code caravan} command; its subcommands do the work. */
@Command(name = "caravan", mixinStandardHelpOptions = true, versionProvider = CaravanCommand.Version.class,
        description = "Retrains models when new data lands in a bucket, and serves them through TensorFlow Serving's APIs.",
        subcommands = {ServerCommand.class, DemoCommand.class, PredictCommand.class, ListCommand.class,
                GetCommand.class, RunCommands.Submit.class, RunCommands.Logs.class, RunCommands.Retry.class,
                RunCommands.Resubmit.class, RunCommands.Stop.class, ModelCommands.Models.class, ModelCommands.Promote.class,
                ModelCommands.Rollback.class, PipelinesCommand.class, ScheduleCommands.class, ManifestsCommand.class, EnvCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:", "  ./caravan demo            drop MNIST into the bucket and watch it retrain, serve and answer",
                "  ./caravan server          run the service (API on :8080, S3 on :9000, gRPC :8500, REST :8501)",
                "  ./caravan list            list runs", "  ./caravan get RUN         show a run's steps"})
public class CaravanCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static CommandLine commandLine() {
        return new CommandLine(new CaravanCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(CaravanCommand::failed);
    }

    /**
     * A command that fails says why in one line; the stack trace is for {@code CARAVAN_DEBUG=1}. Start-up failures
     * carry Spring's own report (the setting and the reason), which is printed as is.
     */
    private static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        if (System.getenv("CARAVAN_DEBUG") != null) {
            e.printStackTrace(command.getErr());
        }
        command.getErr().println("caravan " + command.getCommandName() + ": " + StartupErrors.describe(e));
        return 1;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static class Version implements CommandLine.IVersionProvider {

        @Override
        public String[] getVersion() {
            String version = CaravanCommand.class.getPackage().getImplementationVersion();
            return new String[] {"caravan " + (version == null ? "development" : version)};
        }
    }
}
