package dev.caravan.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.Callable;

import dev.caravan.smoketest.AsciiDigit;
import dev.caravan.smoketest.DigitImage;
import dev.caravan.smoketest.PredictClient;
import dev.caravan.smoketest.PredictException;
import dev.caravan.smoketest.SampleDigit;
import dev.caravan.smoketest.SampleDigits;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code caravan predict}: asks the served digit model what a digit shows, over TensorFlow Serving's gRPC API.
 *
 * <p>{@code --version} is the model version, as in TensorFlow Serving's clients. picocli's standard help mixin
 * would claim {@code --version} for printing the program version (and silently drops itself when an option takes
 * the name), so {@code -h/--help} is declared here instead; {@code caravan --version} prints the program version.
 */
@Command(name = "predict",
        description = {"Asks a served MNIST model what a handwritten digit shows, over TensorFlow Serving's gRPC API "
                + "(Caravan's model server or TensorFlow Serving itself).",
                "Prints the digit in text and the model's answer."},
        footer = {"", "Examples:",
                "  caravan predict",
                "      a random sample digit, asked of model mnist at 127.0.0.1:8500",
                "  caravan predict --image seven.png",
                "      a picture of a digit; dark ink on paper is inverted, any size is scaled to 28x28",
                "  caravan predict --host 10.0.0.7 --port 9000 --model mnist --version 3"})
public class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--image", paramLabel = "FILE.png",
            description = "A picture of one digit. Default: a random digit from the shipped samples (its true label is printed).")
    Path image;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "The model server's host. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", defaultValue = "8500", description = "The model server's gRPC port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--model", defaultValue = "mnist", description = "The model name. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--version", description = "The model version to ask. Default: the version served.")
    Long version;

    public PredictCommand() {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        float[] pixels;
        try {
            pixels = image != null ? DigitImage.read(image) : randomSample(out);
        } catch (IOException e) {
            err.println("cannot read the digit picture: " + e.getMessage());
            return ExitCode.USAGE;
        }
        out.print(AsciiDigit.render(pixels));
        try (PredictClient client = new PredictClient(host, port)) {
            PredictClient.Prediction prediction = client.predict(model,
                    version == null ? OptionalLong.empty() : OptionalLong.of(version), pixels);
            out.println("Your model says the above number is... " + prediction.digit() + "!");
            out.println("(model " + prediction.model() + " version " + prediction.version() + " at " + client.address() + ")");
            return ExitCode.OK;
        } catch (PredictException e) {
            err.println(e.getMessage());
            return ExitCode.SOFTWARE;
        }
    }

    private static float[] randomSample(PrintWriter out) {
        List<SampleDigit> samples = SampleDigits.load();
        SampleDigit sample = samples.get(new Random().nextInt(samples.size()));
        out.println("A sample digit labelled " + sample.label() + " (MNIST test image " + sample.mnistIndex() + "):");
        return sample.pixels();
    }
}
