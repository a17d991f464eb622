package dev.caravan.system;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import dev.caravan.smoketest.ModelServerClient;
import dev.caravan.smoketest.PredictException;

/**
 * Takes the one-time costs of a run's first evaluation and smoke test while Caravan starts: loading TensorFlow's
 * native library (whose start-up lines are then printed before any run) and, on the local runtime, the gRPC
 * client's first call, which readiness does not wait for.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class StartupWarmUp implements ApplicationRunner {

    private static final String NO_SUCH_MODEL = "caravan-warm-up";

    private final ObjectProvider<EarlyStart> early;

    StartupWarmUp(ObjectProvider<EarlyStart> early) {
        this.early = early;
    }

    /** Waits for TensorFlow's first use, begun beside the context ({@link EarlyStart}), or runs it now. */
    @Override
    public void run(ApplicationArguments args) {
        EarlyStart begun = early.getIfAvailable();
        if (begun != null) {
            begun.awaitTensorFlow();
        } else {
            runTrivialGraph();
        }
    }

    static void runTrivialGraph() {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            var sum = tf.math.add(tf.constant(1f), tf.constant(2f));
            try (TFloat32 result = (TFloat32) session.runner().fetch(sum).run().get(0)) {
                if (result.getFloat() != 3f) {
                    throw new IllegalStateException("TensorFlow computed 1 + 2 = " + result.getFloat());
                }
            }
        }
    }

    /**
     * Asks the model server, through the route the smoke test calls it by, about a model it does not have: the answer,
     * NOT_FOUND, is the expected one. The route's gRPC producer and channel stay for the first smoke test.
     */
    static void callModelServer(ModelServerClient client) {
        try {
            client.inputTypes(NO_SUCH_MODEL, null);
        } catch (PredictException expected) {
            // NOT_FOUND for the made-up model, or an unreachable server that the smoke test will report.
        }
    }
}
