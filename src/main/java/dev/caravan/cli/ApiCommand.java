package dev.caravan.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to a running Caravan: it reports API errors in one line and exits with their code. */
abstract class ApiCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Mixin
    Output output;

    @Override
    public final Integer call() throws Exception {
        try {
            return run(server.client(), spec.commandLine().getOut());
        } catch (ApiClient.CliException e) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
            return e.exitCode();
        }
    }

    abstract int run(ApiClient api, PrintWriter out) throws Exception;
}
