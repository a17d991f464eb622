package dev.caravan.serving.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Caravan's protos are a subset of TensorFlow Serving's: everything they define must exist upstream with the same
 * full name, number, type and label, or a real TensorFlow Serving client would misread our bytes.
 */
class ProtoContractTest {

    @Test
    void everyDefinitionMatchesTensorFlowServing(@TempDir Path work) throws Exception {
        Optional<Path> reference = UpstreamProtos.referenceFolder();
        assumeTrue(reference.isPresent(), "skipped: no shared/reference/protos folder above "
                + Path.of("").toAbsolutePath() + " (set -Dcaravan.reference.protos=DIR to point at one)");
        Optional<Path> protoc = UpstreamProtos.protoc();
        assumeTrue(protoc.isPresent(), "skipped: protoc is not in the local Maven repository; run ./mvnw compile first");

        Map<String, FileDescriptor> upstream = UpstreamProtos.compile(reference.get(), protoc.get(), work);
        Definitions theirs = Definitions.of(upstream.values());
        Definitions ours = Definitions.of(ourFiles());

        List<String> mismatches = new ArrayList<>();
        ours.messages.forEach((name, message) -> compareMessage(message, theirs.messages.get(name), mismatches));
        ours.enums.forEach((name, e) -> compareEnum(e, theirs.enums.get(name), mismatches));
        ours.services.forEach((name, s) -> compareService(s, theirs.services.get(name), mismatches));

        assertThat(ours.messages).containsKeys("tensorflow.serving.PredictRequest", "tensorflow.TensorProto",
                "tensorflow.serving.SignatureDefMap", "tensorflow.serving.ModelVersionStatus");
        assertThat(ours.services).containsKeys("tensorflow.serving.PredictionService", "tensorflow.serving.ModelService");
        assertThat(mismatches).as("definitions that differ from TensorFlow Serving").isEmpty();
    }

    private static Collection<FileDescriptor> ourFiles() {
        Map<String, FileDescriptor> files = new LinkedHashMap<>();
        addWithDependencies(ServiceProtos.getDescriptor(), files);
        files.keySet().removeIf(name -> name.startsWith("google/protobuf/"));
        return files.values();
    }

    private static void addWithDependencies(FileDescriptor file, Map<String, FileDescriptor> files) {
        if (files.putIfAbsent(file.getName(), file) == null) {
            file.getDependencies().forEach(d -> addWithDependencies(d, files));
        }
    }

    private static void compareMessage(Descriptor ours, Descriptor theirs, List<String> mismatches) {
        if (theirs == null) {
            mismatches.add("message " + ours.getFullName() + " does not exist upstream");
            return;
        }
        for (FieldDescriptor field : ours.getFields()) {
            FieldDescriptor other = theirs.findFieldByName(field.getName());
            String where = "field " + field.getFullName();
            if (other == null) {
                mismatches.add(where + " does not exist upstream");
                continue;
            }
            expectSame(where + " number", field.getNumber(), other.getNumber(), mismatches);
            expectSame(where + " type", field.getType(), other.getType(), mismatches);
            expectSame(where + " label", field.toProto().getLabel(), other.toProto().getLabel(), mismatches);
            expectSame(where + " type name", typeName(field), typeName(other), mismatches);
            expectSame(where + " oneof", oneof(field.getContainingOneof()), oneof(other.getContainingOneof()), mismatches);
            expectSame(where + " packed", field.isPacked(), other.isPacked(), mismatches);
            expectSame(where + " JSON name", field.getJsonName(), other.getJsonName(), mismatches);
        }
    }

    private static void compareEnum(EnumDescriptor ours, EnumDescriptor theirs, List<String> mismatches) {
        if (theirs == null) {
            mismatches.add("enum " + ours.getFullName() + " does not exist upstream");
            return;
        }
        for (EnumValueDescriptor value : ours.getValues()) {
            EnumValueDescriptor other = theirs.findValueByName(value.getName());
            String where = "enum value " + value.getFullName();
            if (other == null) {
                mismatches.add(where + " does not exist upstream");
            } else {
                expectSame(where + " number", value.getNumber(), other.getNumber(), mismatches);
            }
        }
    }

    private static void compareService(ServiceDescriptor ours, ServiceDescriptor theirs, List<String> mismatches) {
        if (theirs == null) {
            mismatches.add("service " + ours.getFullName() + " does not exist upstream");
            return;
        }
        for (MethodDescriptor method : ours.getMethods()) {
            MethodDescriptor other = theirs.findMethodByName(method.getName());
            String where = "method " + method.getFullName();
            if (other == null) {
                mismatches.add(where + " does not exist upstream");
                continue;
            }
            expectSame(where + " input", method.getInputType().getFullName(), other.getInputType().getFullName(), mismatches);
            expectSame(where + " output", method.getOutputType().getFullName(), other.getOutputType().getFullName(), mismatches);
            expectSame(where + " client streaming", method.isClientStreaming(), other.isClientStreaming(), mismatches);
            expectSame(where + " server streaming", method.isServerStreaming(), other.isServerStreaming(), mismatches);
        }
    }

    private static void expectSame(String what, Object ours, Object theirs, List<String> mismatches) {
        if (!Objects.equals(ours, theirs)) {
            mismatches.add(what + ": ours " + ours + ", upstream " + theirs);
        }
    }

    private static String typeName(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case MESSAGE -> field.getMessageType().getFullName();
            case ENUM -> field.getEnumType().getFullName();
            default -> "";
        };
    }

    private static String oneof(OneofDescriptor oneof) {
        return oneof == null ? "" : oneof.getName();
    }

    /** Every message (nested ones and map entries included), enum and service of some files, by full name. */
    private record Definitions(Map<String, Descriptor> messages, Map<String, EnumDescriptor> enums,
                               Map<String, ServiceDescriptor> services) {

        static Definitions of(Collection<FileDescriptor> files) {
            Definitions all = new Definitions(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
            for (FileDescriptor file : files) {
                file.getMessageTypes().forEach(all::addMessage);
                file.getEnumTypes().forEach(e -> all.enums.put(e.getFullName(), e));
                file.getServices().forEach(s -> all.services.put(s.getFullName(), s));
            }
            return all;
        }

        private void addMessage(Descriptor message) {
            messages.put(message.getFullName(), message);
            message.getNestedTypes().forEach(this::addMessage);
            message.getEnumTypes().forEach(e -> enums.put(e.getFullName(), e));
        }
    }
}
