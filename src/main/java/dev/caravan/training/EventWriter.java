package dev.caravan.training;

import java.nio.file.Path;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Writes scalar summaries as TensorBoard event files ({@code events.out.tfevents.*}) into a local folder, with
 * TensorFlow's own summary writer. It has a graph of its own, so the training graph and its checkpoints stay free
 * of summary ops.
 */
final class EventWriter implements AutoCloseable {

    private static final int MAX_QUEUE = 10;
    private static final int FLUSH_MILLIS = 2000;

    private final Graph graph;
    private final Session session;
    private final Placeholder<TInt64> step;
    private final Placeholder<TString> tag;
    private final Placeholder<TFloat32> value;
    private final Op write;
    private final Op flush;
    private final Op close;

    EventWriter(Path logDir) {
        graph = new Graph();
        Ops tf = Ops.create(graph);
        Operand<? extends TType> writer = tf.summary.summaryWriter();
        Op create = tf.summary.createSummaryFileWriter(writer, tf.constant(logDir.toString()),
                tf.constant(MAX_QUEUE), tf.constant(FLUSH_MILLIS), tf.constant(".caravan"));
        step = tf.placeholder(TInt64.class);
        tag = tf.placeholder(TString.class);
        value = tf.placeholder(TFloat32.class);
        write = tf.summary.writeScalarSummary(writer, step, tag, value);
        flush = tf.summary.flushSummaryWriter(writer);
        close = tf.summary.closeSummaryWriter(writer);
        session = new Session(graph);
        session.run(create);
    }

    void scalar(String name, long atStep, float scalar) {
        try (TInt64 s = TInt64.scalarOf(atStep); TString t = TString.scalarOf(name); TFloat32 v = TFloat32.scalarOf(scalar)) {
            session.runner().feed(step, s).feed(tag, t).feed(value, v).addTarget(write).run().close();
        }
    }

    /** Writes what is queued, so the files can be copied with every event so far. */
    void flush() {
        session.run(flush);
    }

    @Override
    public void close() {
        try {
            session.run(close);
        } finally {
            session.close();
            graph.close();
        }
    }
}
