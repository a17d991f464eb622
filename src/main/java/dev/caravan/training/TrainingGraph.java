package dev.caravan.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

import dev.caravan.data.MnistDataset;
import dev.caravan.training.DigitModel.Weight;

/**
 * The model with its loss, accuracy and Adam update at the settings' learning-rate schedule, in one graph and session
 * that train it step by step.
 */
final class TrainingGraph implements AutoCloseable {

    private static final int EVALUATION_BATCH = 1000;

    private final Graph graph;
    private final Session session;
    private final Placeholder<TFloat32> images;
    private final Placeholder<TInt32> labels;
    private final Operand<TFloat32> loss;
    private final Operand<TFloat32> accuracy;
    private final Op minimize;

    TrainingGraph(TrainerSettings settings, long seed) {
        DigitModel model = settings.model();
        graph = new Graph();
        Ops tf = Ops.create(graph);
        images = tf.withName("x").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, DigitModel.ROWS, DigitModel.COLS)));
        labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        List<Weight> order = model.weights();
        List<Variable<TFloat32>> weights = new ArrayList<>();
        Operand<TFloat32> logits = model.logits(tf, images, model.variables(weight -> {
            Variable<TFloat32> variable = initialised(tf, weight.variableName(), DigitModel.initialValue(tf, weight,
                    order.indexOf(weight), seed));
            weights.add(variable);
            return variable;
        }));
        loss = DigitModel.loss(tf, logits, labels);
        accuracy = DigitModel.accuracy(tf, logits, labels);
        List<Operand<TFloat32>> gradients = new ArrayList<>();
        tf.gradients(loss, weights).dy().forEach(dy -> gradients.add(dy.expect(TFloat32.class)));
        AdamUpdate adam = new AdamUpdate(weights, moments(tf, order, "_adam_m"), moments(tf, order, "_adam_v"),
                initialised(tf, "adam_beta1_power", tf.constant(AdamUpdate.BETA1)),
                initialised(tf, "adam_beta2_power", tf.constant(AdamUpdate.BETA2)),
                initialised(tf, "global_step", tf.constant(0L)));
        Operand<TFloat32> rate = settings.learningRateSchedule().rate(tf, settings.learningRate(), adam.globalStep(),
                settings.trainSteps());
        minimize = adam.apply(gradients, rate, weight -> tf, tf);
        session = new Session(graph);
    }

    /** Loss and accuracy on one batch. */
    record Metrics(float loss, float accuracy) {
    }

    /** One Adam update on a batch at the schedule's rate for the step; {@code measure} also fetches the batch's loss and accuracy (else null). */
    Metrics train(Batch batch, boolean measure) {
        try (TFloat32 x = batch.imageTensor(); TInt32 y = batch.labelTensor()) {
            Session.Runner runner = session.runner().feed(images, x).feed(labels, y).addTarget(minimize);
            if (!measure) {
                runner.run().close();
                return null;
            }
            try (Result result = runner.fetch(loss).fetch(accuracy).run()) {
                return new Metrics(((TFloat32) result.get(0)).getFloat(), ((TFloat32) result.get(1)).getFloat());
            }
        }
    }

    /** Loss and accuracy over a whole dataset, in batches so memory stays flat. */
    Metrics evaluate(MnistDataset dataset) {
        return evaluate(session, images, labels, loss, accuracy, dataset);
    }

    /** Loss and accuracy of a graph's {@code loss} and {@code accuracy} over {@code dataset}, fed in batches. */
    static Metrics evaluate(Session session, Placeholder<TFloat32> images, Placeholder<TInt32> labels,
            Operand<TFloat32> loss, Operand<TFloat32> accuracy, MnistDataset dataset) {
        double lossSum = 0;
        double correct = 0;
        for (int start = 0; start < dataset.count(); start += EVALUATION_BATCH) {
            Batch batch = Batch.range(dataset, start, Math.min(EVALUATION_BATCH, dataset.count() - start));
            try (TFloat32 x = batch.imageTensor(); TInt32 y = batch.labelTensor();
                    Result result = session.runner().feed(images, x).feed(labels, y).fetch(loss).fetch(accuracy).run()) {
                lossSum += ((TFloat32) result.get(0)).getFloat() * batch.size();
                correct += ((TFloat32) result.get(1)).getFloat() * batch.size();
            }
        }
        return new Metrics((float) (lossSum / dataset.count()), (float) (correct / dataset.count()));
    }

    /** Writes the weights (and Adam's state) as a TensorFlow checkpoint {@code prefix.index}, {@code prefix.data-*}. */
    void save(Path prefix) {
        session.save(prefix.toString());
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }

    private static <T extends TType> Variable<T> initialised(Ops tf, String name, Operand<T> initialValue) {
        return tf.withName(name).variable(initialValue);
    }

    /** One of Adam's slots for each weight, zero at first, named after the weight plus {@code suffix}. */
    private static List<Variable<TFloat32>> moments(Ops tf, List<Weight> weights, String suffix) {
        return weights.stream().map(weight -> initialised(tf, weight.variableName() + suffix,
                tf.zeros(tf.constant(weight.shape()), TFloat32.class))).toList();
    }
}
