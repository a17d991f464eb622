package dev.caravan.serving;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.tensorflow.Tensor;

/** The input tensors of one request, made from what the client sent and closed together after the run. */
final class Feeds implements AutoCloseable {

    /** Makes the tensor for one input from the client's value, refusing values that do not fit the input. */
    @FunctionalInterface
    interface TensorMaker<V> {
        Tensor make(TensorSpec input, V value, ModelSignature signature);
    }

    private final Map<TensorSpec, Tensor> tensors = new LinkedHashMap<>();

    private Feeds() {
    }

    static <V> Feeds of(ModelSignature signature, Map<String, V> values, TensorMaker<V> maker) {
        signature.requireInputs(values.keySet());
        Feeds feeds = new Feeds();
        try {
            values.forEach((alias, value) -> {
                TensorSpec input = signature.input(alias);
                feeds.tensors.put(input, maker.make(input, value, signature));
            });
            return feeds;
        } catch (RuntimeException e) {
            feeds.close();
            throw e;
        }
    }

    Map<TensorSpec, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    @Override
    public void close() {
        tensors.values().forEach(Tensor::close);
    }
}
