package dev.caravan.serving.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;

/**
 * Compiles the upstream TensorFlow Serving {@code .proto} files kept in {@code shared/reference/protos} with the
 * protoc the build downloaded, so a test can hold Caravan's definitions against the real contract.
 */
final class UpstreamProtos {

    private static final String PROTOC_VERSION = "3.25.8";

    private UpstreamProtos() {
    }

    /** The reference folder: {@code shared/reference/protos} in the working folder or one of its parents. */
    static Optional<Path> referenceFolder() {
        String configured = System.getProperty("caravan.reference.protos");
        if (configured != null) {
            return Optional.of(Path.of(configured)).filter(Files::isDirectory);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(Path.of("shared", "reference", "protos"));
            if (Files.isDirectory(candidate.resolve("tensorflow_serving"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The protoc executable in the local Maven repository, where protobuf-maven-plugin put it. */
    static Optional<Path> protoc() {
        String repository = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path file = Path.of(repository, "com", "google", "protobuf", "protoc", PROTOC_VERSION,
                "protoc-" + PROTOC_VERSION + "-" + osClassifier() + ".exe");
        return Optional.of(file).filter(Files::isRegularFile);
    }

    /** Every file under {@code tensorflow_serving/apis} and its imports, as descriptors keyed by file name. */
    static Map<String, FileDescriptor> compile(Path reference, Path protoc, Path workDir)
            throws IOException, InterruptedException, DescriptorValidationException {
        Path executable = Files.copy(protoc, workDir.resolve("protoc"), StandardCopyOption.REPLACE_EXISTING);
        if (!executable.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + executable + " executable");
        }
        Path wellKnown = copyWellKnownTypes(workDir.resolve("include"));
        Path out = workDir.resolve("upstream.pb");
        List<String> command = new ArrayList<>(List.of(executable.toString(), "-I" + reference, "-I" + wellKnown,
                "--include_imports", "--descriptor_set_out=" + out));
        command.addAll(apiFiles(reference));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("protoc failed on the reference protos: " + output);
        }
        return build(FileDescriptorSet.parseFrom(Files.readAllBytes(out)));
    }

    private static List<String> apiFiles(Path reference) throws IOException {
        try (Stream<Path> files = Files.list(reference.resolve(Path.of("tensorflow_serving", "apis")))) {
            return files.filter(f -> f.toString().endsWith(".proto"))
                    .map(f -> reference.relativize(f).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    // protoc's release binary carries no google/protobuf includes; protobuf-java ships them as resources.
    private static Path copyWellKnownTypes(Path include) throws IOException {
        for (String name : List.of("any.proto", "wrappers.proto")) {
            Path target = include.resolve(Path.of("google", "protobuf", name));
            Files.createDirectories(target.getParent());
            try (InputStream in = FileDescriptor.class.getResourceAsStream("/google/protobuf/" + name)) {
                if (in == null) {
                    throw new IOException("google/protobuf/" + name + " is not on the class path");
                }
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return include;
    }

    // --include_imports writes every file after its dependencies, so one pass resolves them all.
    private static Map<String, FileDescriptor> build(FileDescriptorSet set) throws DescriptorValidationException {
        Map<String, FileDescriptor> built = new HashMap<>();
        for (FileDescriptorProto file : set.getFileList()) {
            FileDescriptor[] dependencies = file.getDependencyList().stream().map(built::get)
                    .toArray(FileDescriptor[]::new);
            built.put(file.getName(), FileDescriptor.buildFrom(file, dependencies));
        }
        return built;
    }

    private static String osClassifier() {
        String os = System.getProperty("os.name").toLowerCase();
        String arch = System.getProperty("os.arch");
        String osPart = os.contains("mac") ? "osx" : os.contains("win") ? "windows" : "linux";
        String archPart = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch_64" : arch;
        return osPart + "-" + archPart;
    }
}
