package dev.caravan;

import dev.caravan.cli.CaravanCommand;
import picocli.CommandLine;

/** The {@code caravan} command line; {@code caravan --help} lists its commands (see {@code cli.CaravanCommand}). */
public final class Caravan {

    private Caravan() {
    }

    public static void main(String[] args) {
        System.exit(CaravanCommand.commandLine().execute(args));
    }
}
