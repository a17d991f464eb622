package dev.caravan.serving;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.caravan.serving.api.Code;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One prediction request waiting for a batch thread: its checked inputs, the outputs it wants, the lease on the
 * version it runs on (given back once answered), and the API-specific way to answer it.
 */
final class PredictionTask {

    private static final Logger log = LoggerFactory.getLogger(PredictionTask.class);

    /** Answers a request from the outputs of its run, on the batch thread; the slices are valid only during the call. */
    interface Responder {
        void respond(LoadedModel model, ModelSignature signature, List<TensorSpec> fetches, List<OutputSlice> outputs);

        void fail(ServingError error);
    }

    // Requests may share a run when they ask the same version's signature for the same outputs with inputs of the
    // same shape apart from the row count.
    private record BatchKey(ModelSignature signature, List<TensorSpec> fetches, List<List<Long>> rowShapes) {
    }

    private final ServedModels.Lease lease;
    private final ModelSignature signature;
    private final List<TensorSpec> fetches;
    private final List<InputSource> inputs;
    private final Responder responder;
    private final long rows;
    private final Object batchKey;
    private final AtomicBoolean answered = new AtomicBoolean();

    private PredictionTask(ServedModels.Lease lease, ModelSignature signature, List<TensorSpec> fetches,
                           List<InputSource> inputs, Responder responder) {
        this.lease = lease;
        this.signature = signature;
        this.fetches = fetches;
        this.inputs = inputs;
        this.responder = responder;
        this.rows = inputs.isEmpty() ? 1 : inputs.get(0).rows();
        boolean sameRows = inputs.stream().allMatch(input -> input.shape().length > 0 && input.rows() == rows);
        this.batchKey = signature.batchMajor() && sameRows
                ? new BatchKey(signature, fetches, inputs.stream().map(PredictionTask::rowShape).toList())
                : new Object();
    }

    /** A task with the inputs in the signature's order; refuses requests that leave an input out. */
    static PredictionTask of(ServedModels.Lease lease, ModelSignature signature, List<TensorSpec> fetches,
                             Map<String, InputSource> inputs, Responder responder) {
        signature.requireInputs(inputs.keySet());
        List<InputSource> ordered = new ArrayList<>();
        signature.inputs().keySet().forEach(alias -> ordered.add(inputs.get(alias)));
        return new PredictionTask(lease, signature, fetches, ordered, responder);
    }

    boolean canShareRunWith(PredictionTask other) {
        return batchKey.equals(other.batchKey);
    }

    LoadedModel model() {
        return lease.model();
    }

    ModelSignature signature() {
        return signature;
    }

    List<TensorSpec> fetches() {
        return fetches;
    }

    /** The inputs in the order of the signature's inputs. */
    List<InputSource> inputs() {
        return inputs;
    }

    long rows() {
        return rows;
    }

    /** Answers with the outputs; a task is answered once, and its lease given back then. */
    void complete(List<OutputSlice> outputs) {
        if (answered.compareAndSet(false, true)) {
            try {
                responder.respond(lease.model(), signature, fetches, outputs);
            } catch (RuntimeException e) {
                failQuietly(new ServingError(Code.INTERNAL, "cannot encode the outputs of " + signature.description()
                        + ": " + e));
            } finally {
                lease.close();
            }
        }
    }

    void fail(ServingError error) {
        if (answered.compareAndSet(false, true)) {
            try {
                failQuietly(error);
            } finally {
                lease.close();
            }
        }
    }

    // The client may be gone; the batch thread must go on with the other tasks, so the failure is logged.
    private void failQuietly(ServingError error) {
        try {
            responder.fail(error);
        } catch (RuntimeException e) {
            log.warn("cannot tell a client that {} refused its request ({}): {}", signature.description(),
                    error.getMessage(), e.toString());
        }
    }

    private static List<Long> rowShape(InputSource input) {
        long[] shape = input.shape();
        return Arrays.stream(shape, 1, shape.length).boxed().toList();
    }
}
