package dev.caravan.training;

import java.time.Duration;

import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.IsVariableInitialized;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt64;

/**
 * A {@code ps} replica: its server holds the shared variables the gradient tasks place on it. TensorFlow's C API
 * cannot stop a server, so the process ends itself once the chief has set its {@code chief_done_<i>} (after it saved
 * the checkpoint, when no task needs the variables any more). The flag lives on this server itself, so a server never
 * depends on another still being there to learn it may go.
 */
final class ParameterServer {

    private static final Duration POLL = Duration.ofMillis(500);

    private ParameterServer() {
    }

    /** Serves until the chief is done, logging its address and the end. */
    static void serve(ClusterServer server, TrainerContext context) {
        TfConfig config = server.config();
        context.log("%s serves the shared variables at %s", config.replicaName(), server.target());
        try (Graph graph = new Graph()) {
            Ops self = Ops.create(graph).withDevice(SharedVariables.device(TfConfig.PS, config.index()));
            String name = SharedVariables.chiefDoneName(config.index());
            Variable<TInt64> chiefDone = self.withName(name).variable(Shape.scalar(), TInt64.class,
                    Variable.sharedName(name));
            IsVariableInitialized initialised = self.isVariableInitialized(chiefDone);
            try (Session session = server.session(graph, 1)) {
                while (!done(session, initialised, chiefDone)) {
                    sleep();
                }
            }
        }
        context.log("%s: the chief is done with the shared variables; exiting", config.replicaName());
    }

    private static boolean done(Session session, IsVariableInitialized initialised, Variable<TInt64> chiefDone) {
        try {
            try (Result result = session.runner().fetch(initialised).run()) {
                if (!((TBool) result.get(0)).getBoolean()) {
                    return false;
                }
            }
            try (Result result = session.runner().fetch(chiefDone).run()) {
                return ((TInt64) result.get(0)).getLong() >= 1;
            }
        } catch (TensorFlowException e) {
            // The session's first contact with this task's own server can still fail while it starts.
            return false;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while serving the shared variables", e);
        }
    }
}
