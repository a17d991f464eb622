package dev.caravan.serving;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.caravan.serving.api.Code;
import dev.caravan.serving.api.SignatureDef;
import dev.caravan.serving.api.TensorInfo;
import dev.caravan.serving.api.TensorShapeProto;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;

/**
 * A signature of a loaded model with its graph tensors resolved once at load time, so a request only feeds and
 * fetches: no name lookups or graph building per call.
 */
final class ModelSignature {

    private final String key;
    private final String description;
    private final Map<String, TensorSpec> inputs;
    private final Map<String, TensorSpec> outputs;
    private final boolean batchMajor;

    private ModelSignature(String key, String description, Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs) {
        this.key = key;
        this.description = description;
        this.inputs = inputs;
        this.outputs = outputs;
        this.batchMajor = Stream.concat(inputs.values().stream(), outputs.values().stream())
                .allMatch(spec -> spec.shape() != null && spec.shape().length > 0 && spec.shape()[0] == -1
                        && TensorType.find(spec.dtype()).isPresent());
    }

    static ModelSignature of(String model, long version, String key, SignatureDef def, Graph graph) {
        return new ModelSignature(key, "signature '" + key + "' of model " + model + " version " + version,
                specs(def.getInputsMap(), graph), specs(def.getOutputsMap(), graph));
    }

    String key() {
        return key;
    }

    /** {@code signature 'serving_default' of model mnist version 1}, for messages. */
    String description() {
        return description;
    }

    /**
     * Whether every input and output has a first dimension of any size (the batch) and a fixed-width dtype, so that
     * requests can be stacked into one run and the outputs split by rows again.
     */
    boolean batchMajor() {
        return batchMajor;
    }

    Map<String, TensorSpec> inputs() {
        return inputs;
    }

    Map<String, TensorSpec> outputs() {
        return outputs;
    }

    TensorSpec input(String alias) {
        TensorSpec spec = inputs.get(alias);
        if (spec == null) {
            throw ServingError.invalidArgument("input '" + alias + "' is not in " + description + "; it takes "
                    + list(inputs.values()));
        }
        return spec;
    }

    /** The outputs a request asked for, in signature order; all of them when the filter is empty. */
    List<TensorSpec> outputs(Collection<String> filter) {
        if (filter.isEmpty()) {
            return List.copyOf(outputs.values());
        }
        List<TensorSpec> selected = new ArrayList<>();
        for (String alias : filter) {
            TensorSpec spec = outputs.get(alias);
            if (spec == null) {
                throw ServingError.invalidArgument("output '" + alias + "' in output_filter is not in " + description
                        + "; it returns " + list(outputs.values()));
            }
            if (!selected.contains(spec)) {
                selected.add(spec);
            }
        }
        return selected;
    }

    /** Refuses a request that leaves out an input: TensorFlow would fail on the missing feed with a vaguer message. */
    void requireInputs(Collection<String> given) {
        List<String> missing = inputs.keySet().stream().filter(alias -> !given.contains(alias)).toList();
        if (!missing.isEmpty()) {
            throw ServingError.invalidArgument("input " + String.join(", ", missing) + " missing: " + description
                    + " takes " + list(inputs.values()));
        }
    }

    /** Runs the graph; the caller closes the result, whose tensors follow {@code fetches}' order. */
    Result run(Session session, Map<TensorSpec, Tensor> feeds, List<TensorSpec> fetches) {
        Session.Runner runner = session.runner();
        feeds.forEach((spec, tensor) -> runner.feed(spec.output(), tensor));
        fetches.forEach(spec -> runner.fetch(spec.output()));
        try {
            return runner.run();
        } catch (TFInvalidArgumentException e) {
            throw ServingError.invalidArgument(description + " refused the inputs: " + e.getMessage());
        } catch (TensorFlowException e) {
            throw new ServingError(Code.INTERNAL, description + " failed: " + e.getMessage());
        }
    }

    /**
     * Runs the signature once on zeros (batch 1), so the first client does not wait for TensorFlow's one-off
     * preparation of the graph. Returns false, having run nothing, when an input's shape or dtype is not fixed
     * enough to make such a batch.
     */
    boolean warmUp(Session session) {
        Map<TensorSpec, Tensor> feeds = new LinkedHashMap<>();
        try {
            for (TensorSpec input : inputs.values()) {
                Optional<TensorType> type = TensorType.find(input.dtype());
                long[] dims = input.shape() == null ? null : input.shape().clone();
                if (dims != null && dims.length > 0 && dims[0] < 0) {
                    dims[0] = 1;
                }
                if (type.isEmpty() || dims == null || Arrays.stream(dims).anyMatch(size -> size < 0)) {
                    return false;
                }
                feeds.put(input, Tensor.of(type.get().tensorClass(), Shape.of(dims),
                        t -> t.asRawTensor().data().write(new byte[Math.toIntExact(t.numBytes())])));
            }
            try (Result ignored = run(session, feeds, List.copyOf(outputs.values()))) {
                return true;
            }
        } finally {
            feeds.values().forEach(Tensor::close);
        }
    }

    private static Map<String, TensorSpec> specs(Map<String, TensorInfo> infos, Graph graph) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        new TreeMap<>(infos).forEach((alias, info) -> specs.put(alias,
                new TensorSpec(alias, graph.outputOrThrow(info.getName()), info.getDtype(), shape(info.getTensorShape()))));
        return specs;
    }

    private static long[] shape(TensorShapeProto shape) {
        return shape.getUnknownRank() ? null
                : shape.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
    }

    private static String list(Collection<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::toString).collect(Collectors.joining(", "));
    }
}
