package dev.caravan.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.caravan.serving.api.Code;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;

/**
 * Runs tasks that can share a run as one TensorFlow call: their inputs stacked row after row into one tensor per
 * input, each task answered with its own rows of every output. A task alone runs with its tensors as sent.
 */
final class BatchRun {

    private BatchRun() {
    }

    static void run(List<PredictionTask> tasks) {
        PredictionTask first = tasks.get(0);
        ModelSignature signature = first.signature();
        long rows = tasks.stream().mapToLong(PredictionTask::rows).sum();
        Map<TensorSpec, Tensor> feeds = new LinkedHashMap<>();
        List<List<OutputSlice>> answers;
        try {
            int index = 0;
            for (TensorSpec input : signature.inputs().values()) {
                feeds.put(input, stack(input, index++, tasks, rows));
            }
            try (Result result = signature.run(first.model().session(), feeds, first.fetches())) {
                answers = split(result, tasks, rows);
                for (int i = 0; i < tasks.size(); i++) {
                    tasks.get(i).complete(answers.get(i));
                }
            }
        } catch (ServingError e) {
            tasks.forEach(task -> task.fail(e));
        } catch (RuntimeException e) {
            ServingError error = new ServingError(Code.INTERNAL, signature.description() + " failed: " + e);
            tasks.forEach(task -> task.fail(error));
        } finally {
            feeds.values().forEach(Tensor::close);
        }
    }

    private static Tensor stack(TensorSpec input, int index, List<PredictionTask> tasks, long rows) {
        TensorType type = TensorType.of(input.dtype(), "input '" + input.alias() + "'");
        long[] shape = tasks.get(0).inputs().get(index).shape().clone();
        if (tasks.size() > 1) {
            shape[0] = rows;
        }
        return Tensor.of(type.tensorClass(), Shape.of(shape), tensor -> {
            ByteDataBuffer data = tensor.asRawTensor().data();
            long offset = 0;
            for (PredictionTask task : tasks) {
                InputSource source = task.inputs().get(index);
                source.copyTo(data, offset);
                offset += Shape.of(source.shape()).size();
            }
        });
    }

    // Each task's rows of each output; refuses to guess when a stacked run's output is not one row per instance.
    private static List<List<OutputSlice>> split(Result result, List<PredictionTask> tasks, long rows) {
        List<TensorSpec> fetches = tasks.get(0).fetches();
        List<List<OutputSlice>> answers = new ArrayList<>();
        for (PredictionTask task : tasks) {
            answers.add(new ArrayList<>());
        }
        for (int f = 0; f < fetches.size(); f++) {
            Tensor output = result.get(f);
            if (tasks.size() == 1) {
                answers.get(0).add(OutputSlice.whole(output));
                continue;
            }
            long[] shape = output.shape().asArray();
            if (shape.length == 0 || shape[0] != rows) {
                throw new ServingError(Code.INTERNAL, "output '" + fetches.get(f).alias() + "' of "
                        + tasks.get(0).signature().description() + " has shape " + TensorSpec.format(shape) + " for "
                        + rows + " stacked instances, not one row each; serve it with batching off (max batch rows 1)");
            }
            long first = 0;
            for (int t = 0; t < tasks.size(); t++) {
                answers.get(t).add(OutputSlice.rows(output, first, tasks.get(t).rows()));
                first += tasks.get(t).rows();
            }
        }
        return answers;
    }
}
