package dev.caravan.training;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewServer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ServerStart;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ServerTarget;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Server;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * This replica's TensorFlow server on the cluster of its {@link TfConfig} (TensorFlow's gRPC runtime, protocol
 * {@code grpc}, listening on the port its own address gives), and sessions that run graphs on the cluster through it.
 * TensorFlow's C API cannot stop a server: it lives as long as the process.
 */
final class ClusterServer {

    /** The longest any one operation may block, a step waiting for a slow replica included. */
    static final Duration OPERATION_TIMEOUT = Duration.ofMinutes(15);

    private final TfConfig config;
    private final String target;

    private ClusterServer(TfConfig config, String target) {
        this.config = config;
        this.target = target;
    }

    /** Starts the server of {@code config}'s task; throws TensorFlow's error when its port cannot be bound. */
    static ClusterServer start(TfConfig config) {
        byte[] serverDef = serverDef(config).toByteArray();
        try (PointerScope scope = new PointerScope()) {
            TF_Status status = TF_Status.newStatus();
            TF_Server server = TF_NewServer(new BytePointer(serverDef), serverDef.length, status);
            status.throwExceptionIfNotOK();
            TF_ServerStart(server, status);
            status.throwExceptionIfNotOK();
            // Kept for the life of the process: a server cannot be stopped, and deleting a started one blocks.
            server.retainReference();
            return new ClusterServer(config, TF_ServerTarget(server).getString());
        }
    }

    /** The session target of this server, {@code grpc://host:port}. */
    String target() {
        return target;
    }

    /**
     * A session on the cluster for {@code graph}, seeing only the parameter servers and this task (so it never waits
     * for another worker), with {@code threads} for TensorFlow's intra- and inter-op pools (0: TensorFlow's choice);
     * an operation that blocks longer than {@link #OPERATION_TIMEOUT} fails with TensorFlow's DEADLINE_EXCEEDED.
     */
    Session session(Graph graph, int threads) {
        ConfigProto.Builder config = ConfigProto.newBuilder()
                .addDeviceFilters("/job:" + TfConfig.PS)
                .addDeviceFilters("/job:" + config().type() + "/task:" + config().index())
                // A synchronous step blocks until every task has pushed its gradient: bounded, so that a replica that
                // died fails the others instead of holding them (and their pods) until the job's deadline.
                .setOperationTimeoutInMs(OPERATION_TIMEOUT.toMillis());
        if (threads > 0) {
            config.setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(threads);
        }
        return wrap(graph, nativeSession(graph, config.build()));
    }

    TfConfig config() {
        return config;
    }

    private TF_Session nativeSession(Graph graph, ConfigProto config) {
        byte[] bytes = config.toByteArray();
        try (GraphHandle handle = new GraphHandle(graph); PointerScope scope = new PointerScope()) {
            TF_Status status = TF_Status.newStatus();
            TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
            TF_SetTarget(options, target);
            TF_SetConfig(options, new BytePointer(bytes), bytes.length, status);
            status.throwExceptionIfNotOK();
            TF_Session session = TF_Session.newSession(handle.graph, options, status);
            status.throwExceptionIfNotOK();
            return session.retainReference();
        }
    }

    private static ServerDef serverDef(TfConfig config) {
        ClusterDef.Builder cluster = ClusterDef.newBuilder();
        config.cluster().forEach((job, addresses) -> {
            JobDef.Builder tasks = JobDef.newBuilder().setName(job);
            List.copyOf(addresses).forEach(address -> tasks.putTasks(tasks.getTasksCount(), address));
            cluster.addJob(tasks);
        });
        return ServerDef.newBuilder().setCluster(cluster).setJobName(config.type()).setTaskIndex(config.index())
                .setProtocol("grpc").build();
    }

    /**
     * Wraps a native session in TensorFlow Java's {@code Session}, whose public constructors make only local
     * sessions: its package-private {@code Session(Graph, TF_Session)} takes a session made with a target.
     */
    private static Session wrap(Graph graph, TF_Session session) {
        try {
            Constructor<Session> constructor = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
            constructor.setAccessible(true);
            return constructor.newInstance(graph, session);
        } catch (ReflectiveOperationException e) {
            session.releaseReference();
            throw new IllegalStateException("this TensorFlow Java has no Session(Graph, TF_Session) constructor; the"
                    + " distributed trainer needs TensorFlow Java 1.1", e);
        }
    }

    /** The native graph behind a {@code Graph}, held (reference-counted) while a session is made for it. */
    private static final class GraphHandle implements AutoCloseable {

        private final AutoCloseable reference;
        private final TF_Graph graph;

        GraphHandle(Graph graph) {
            try {
                Method ref = Graph.class.getDeclaredMethod("ref");
                ref.setAccessible(true);
                reference = (AutoCloseable) ref.invoke(graph);
                Method nativeHandle = reference.getClass().getDeclaredMethod("nativeHandle");
                nativeHandle.setAccessible(true);
                this.graph = (TF_Graph) nativeHandle.invoke(reference);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("cannot reach the graph: " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("this TensorFlow Java has no Graph.ref(); the distributed trainer"
                        + " needs TensorFlow Java 1.1", e);
            }
        }

        @Override
        public void close() {
            try {
                reference.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot release the graph: " + e, e);
            }
        }
    }
}
