package dev.caravan.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Service;

import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Settings;

/**
 * Checks a pipeline's data before it trains, as its {@code validation} says: the {@code mnist-idx} built-in, nothing
 * ({@code none}), or a user's command run with {@code TF_DATA_DIR} and the S3 variables of the trainer contract,
 * whose exit status 0 means valid and whose stderr is the reason otherwise.
 */
@Service
public class DataValidation {

    private static final long COMMAND_TIMEOUT_MINUTES = 10;
    private static final int MAX_REASON = 2000;

    private final ObjectStore store;
    private final S3Settings s3;

    public DataValidation(ObjectStore store, S3Settings s3) {
        this.store = store;
        this.s3 = s3;
    }

    /**
     * Validates the data under {@code dataDir} and says in one line what was found.
     *
     * @throws DataValidationException naming the object or the command at fault and what to do
     */
    public String validate(PipelineDefinition.Validation validation, S3Location dataDir) {
        if (validation.isBuiltin("none")) {
            return "not validated (validation: none)";
        }
        if (validation.isBuiltin("mnist-idx")) {
            ValidationReport report = new MnistDataValidator().validate(store, dataDir);
            return String.format("%d training and %d test images with labels in %s",
                    report.examples(MnistSplit.TRAIN), report.examples(MnistSplit.TEST), dataDir);
        }
        return runCommand(validation.command(), dataDir);
    }

    private String runCommand(List<String> command, S3Location dataDir) {
        String shown = String.join(" ", command);
        Path stderr = null;
        try {
            stderr = Files.createTempFile("caravan-validation-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().putAll(s3.toEnvironment());
            builder.environment().put("TF_DATA_DIR", dataDir.asPrefix().uri());
            Process process = builder.start();
            if (!process.waitFor(COMMAND_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw new DataValidationException(dataDir.uri(), "the validation command '" + shown + "' did not end"
                        + " within " + COMMAND_TIMEOUT_MINUTES + " minutes and was stopped");
            }
            String reason = Files.readString(stderr, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new DataValidationException(dataDir.uri(), "the validation command '" + shown + "' exited with "
                        + process.exitValue() + ": " + (reason.isEmpty() ? "it wrote no reason to stderr"
                        : reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "..." : reason));
            }
            return "valid, says '" + shown + "'";
        } catch (IOException e) {
            throw new DataValidationException(dataDir.uri(), "the validation command '" + shown + "' could not run ("
                    + e.getMessage() + "); check validation.command in the pipeline file");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataValidationException(dataDir.uri(), "interrupted while the validation command ran");
        } finally {
            if (stderr != null) {
                try {
                    Files.deleteIfExists(stderr);
                } catch (IOException ignored) {
                    // a temporary file left behind costs nothing
                }
            }
        }
    }
}
