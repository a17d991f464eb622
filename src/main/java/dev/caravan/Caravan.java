package dev.caravan;

import dev.caravan.cli.CaravanCommand;
import picocli.CommandLine;

/** The {@code caravan} command line: {@code server}, {@code demo}, {@code predict}, {@code list}, {@code get}. */
public final class Caravan {

    private Caravan() {
    }

    public static void main(String[] args) {
        System.exit(CaravanCommand.commandLine().execute(args));
    }
}
