package dev.caravan.system;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Loads TensorFlow's native library and runs a trivial graph while Caravan starts, so the first evaluation and
 * promotion do not pay for it, and TensorFlow's one-time start-up lines are printed before any run.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class TensorFlowWarmUp implements ApplicationRunner {

    @Override
    public void run(ApplicationArguments args) {
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
}
