package dev.caravan.serving.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

import dev.caravan.smoketest.SampleDigit;
import dev.caravan.smoketest.SampleDigits;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * SavedModels with the MNIST trainer's signature (tag {@code serve}, {@code serving_default}: input {@code x}
 * float32 [-1,28,28], outputs {@code classes} uint8 [-1] and {@code predictions} float32 [-1,10]), built in tests
 * so serving can be tested without the trainer.
 */
public final class TestModels {

    public static final String INPUT = "x";
    public static final String CLASSES = "classes";
    public static final String PREDICTIONS = "predictions";

    private static SoftmaxRegression linear;

    private TestModels() {
    }

    /**
     * A linear classifier trained on MNIST (about 0.9 test accuracy). Its training set includes the ten shipped
     * smoke-test digits, two of which a linear model would otherwise misread, so smoke tests against it pass.
     */
    public static Path exportMnist(Path dir) {
        SoftmaxRegression model = trainedLinear();
        return exportLinear(dir, model.weights, model.biases);
    }

    /**
     * The linear classifier of {@link #exportMnist} with its classes shifted by one: it answers 8 for a 7 and 0 for a
     * 9, so a smoke test against it fails, while each call costs what a call to the good model costs.
     */
    public static Path exportMnistAnsweringWrong(Path dir) {
        SoftmaxRegression model = trainedLinear();
        float[][] weights = new float[model.weights.length][SoftmaxRegression.CLASSES];
        float[] biases = new float[SoftmaxRegression.CLASSES];
        for (int c = 0; c < SoftmaxRegression.CLASSES; c++) {
            int from = (c + SoftmaxRegression.CLASSES - 1) % SoftmaxRegression.CLASSES;
            biases[c] = model.biases[from];
            for (int p = 0; p < weights.length; p++) {
                weights[p][c] = model.weights[p][from];
            }
        }
        return exportLinear(dir, weights, biases);
    }

    /**
     * An untrained CNN with the trainer's layers (conv16-pool-conv32-pool-dense128-dense10) and its default 3x3
     * kernels: its answers mean nothing, but each call costs what a real model's does, which is what a benchmark needs.
     */
    public static Path exportCnn(Path dir) {
        return exportCnn(dir, 3);
    }

    /** The same CNN with {@code kernel} x {@code kernel} convolutions (the trainer's default was 5x5 before 3x3). */
    public static Path exportCnn(Path dir, int kernel) {
        return export(dir, (tf, images) -> {
            Operand<TFloat32> x = tf.reshape(images, tf.constant(new long[] {-1, 28, 28, 1}));
            x = pool(tf, convolution(tf, x, "conv1", kernel, 1, 16));
            x = pool(tf, convolution(tf, x, "conv2", kernel, 16, 32));
            x = tf.reshape(x, tf.constant(new long[] {-1, 7 * 7 * 32}));
            x = tf.nn.relu(dense(tf, x, "dense1", 7 * 7 * 32, 128));
            return dense(tf, x, "dense2", 128, 10);
        });
    }

    private static synchronized SoftmaxRegression trainedLinear() {
        if (linear == null) {
            linear = SoftmaxRegression.train(withSampleDigits(MnistData.train(10_000), 20), 3);
        }
        return linear;
    }

    private static MnistData.Digits withSampleDigits(MnistData.Digits train, int copies) {
        List<SampleDigit> samples = SampleDigits.load();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size() + samples.size() * copies; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(1));
        float[][] images = new float[order.size()][];
        int[] labels = new int[order.size()];
        for (int i = 0; i < order.size(); i++) {
            int from = order.get(i);
            boolean sample = from >= train.size();
            SampleDigit digit = sample ? samples.get((from - train.size()) % samples.size()) : null;
            images[i] = sample ? digit.pixels() : train.images()[from];
            labels[i] = sample ? digit.label() : train.labels()[from];
        }
        return new MnistData.Digits(images, labels);
    }

    private static Path exportLinear(Path dir, float[][] weights, float[] biases) {
        return export(dir, (tf, images) -> {
            Operand<TFloat32> flat = tf.reshape(images, tf.constant(new long[] {-1, 784}));
            Operand<TFloat32> w = tf.withName("weights").variable(tf.constant(weights));
            Operand<TFloat32> b = tf.withName("biases").variable(tf.constant(biases));
            return tf.math.add(tf.linalg.matMul(flat, w), b);
        });
    }

    private static Path export(Path dir, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> network) {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> x = tf.withName(INPUT).placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 28, 28)));
            Operand<TFloat32> logits = network.apply(tf, x);
            Operand<TFloat32> predictions = tf.withName(PREDICTIONS).nn.softmax(logits);
            Operand<TUint8> classes = tf.withName(CLASSES)
                    .dtypes.cast(tf.math.argMax(logits, tf.constant(1)), TUint8.class);
            session.initialize();
            Signature signature = Signature.builder().key(Signature.DEFAULT_KEY)
                    .methodName("tensorflow/serving/predict")
                    .input(INPUT, x).output(CLASSES, classes).output(PREDICTIONS, predictions).build();
            SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(signature).export();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export a test model to " + dir, e);
        }
    }

    private static Operand<TFloat32> convolution(Ops tf, Operand<TFloat32> x, String name, int kernel, int in, int out) {
        Operand<TFloat32> filter = randomVariable(tf, name + "_kernel", Shape.of(kernel, kernel, in, out),
                (long) kernel * kernel * in);
        Operand<TFloat32> bias = tf.withName(name + "_bias").variable(tf.zeros(tf.constant(new long[] {out}), TFloat32.class));
        return tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, filter, List.of(1L, 1L, 1L, 1L), "SAME"), bias));
    }

    private static Operand<TFloat32> pool(Ops tf, Operand<TFloat32> x) {
        return tf.nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
    }

    private static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> x, String name, int in, int out) {
        Operand<TFloat32> weights = randomVariable(tf, name + "_weights", Shape.of(in, out), in);
        Operand<TFloat32> bias = tf.withName(name + "_bias").variable(tf.zeros(tf.constant(new long[] {out}), TFloat32.class));
        return tf.nn.biasAdd(tf.linalg.matMul(x, weights), bias);
    }

    // He initialisation keeps activations in a sane range, so timings are those of a working network.
    private static Operand<TFloat32> randomVariable(Ops tf, String name, Shape shape, long fanIn) {
        Operand<TFloat32> normal = tf.random.truncatedNormal(tf.constant(shape.asArray()), TFloat32.class,
                TruncatedNormal.seed(42L), TruncatedNormal.seed2((long) name.hashCode()));
        return tf.withName(name).variable(tf.math.mul(normal, tf.constant((float) Math.sqrt(2.0 / fanIn))));
    }
}
