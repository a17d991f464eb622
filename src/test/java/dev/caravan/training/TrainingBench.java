package dev.caravan.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import dev.caravan.data.MnistData;
import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;

/**
 * The accuracy/time frontier of the built-in CNN's default training: the training loop of {@link TrainingGraph} (the
 * trainer's own), timed from the first step to the last, then the test accuracy on the 10,000 test images. Each
 * setting runs once per round, rounds interleaved, so other work on the machine hits them alike. Not a test: run
 * {@code bench/training.sh [--rounds N]}. Target (issue 13): the default reaches at least 98.5 % with at most 10 s of
 * training on 2 cores.
 */
public final class TrainingBench {

    private static final double TARGET_SECONDS = 10;
    private static final double TARGET_ACCURACY = 0.985;

    private TrainingBench() {
    }

    /** A CNN of the built-in's layers with other kernel sizes, for the frontier. */
    private record Cnn(String name, int kernel) implements DigitModel {

        @Override
        public List<Weight> weights() {
            return List.of(Weight.of("conv1_kernel", kernel, kernel, 1, 16), Weight.of("conv1_bias", 16),
                    Weight.of("conv2_kernel", kernel, kernel, 16, 32), Weight.of("conv2_bias", 32),
                    Weight.of("dense1_kernel", 7 * 7 * 32, 128), Weight.of("dense1_bias", 128),
                    Weight.of("dense2_kernel", 128, CLASSES), Weight.of("dense2_bias", CLASSES));
        }

        @Override
        public Operand<TFloat32> logits(Ops tf, Operand<TFloat32> x, Map<String, Operand<TFloat32>> w) {
            return new CnnModel().logits(tf, x, w);
        }
    }

    private record Setting(String label, DigitModel model, int steps, float rate, LearningRateSchedule schedule) {

        TrainerSettings settings() {
            return new TrainerSettings(model, null, null, null, steps, TrainerSettings.DEFAULT_BATCH_SIZE, rate,
                    schedule, null, Optional.empty(), true);
        }
    }

    public static void main(String[] args) {
        int rounds = args.length == 2 && args[0].equals("--rounds") ? Integer.parseInt(args[1]) : 2;
        MnistDataset train = MnistData.loadLocal(Path.of("data/mnist"), MnistSplit.TRAIN);
        MnistDataset test = MnistData.loadLocal(Path.of("data/mnist"), MnistSplit.TEST);
        DigitModel old = new Cnn("5x5", 5);
        DigitModel current = new CnnModel();
        List<Setting> settings = List.of(
                new Setting("before: 5x5, 1000 steps, 0.001 constant", old, 1000, 0.001f, LearningRateSchedule.CONSTANT),
                new Setting("5x5, 600 steps, 0.004 warmup-cosine", old, 600, 0.004f, LearningRateSchedule.WARMUP_COSINE),
                new Setting("3x3, 600 steps, 0.001 constant", current, 600, 0.001f, LearningRateSchedule.CONSTANT),
                new Setting("3x3, 500 steps, 0.005 warmup-cosine", current, 500, 0.005f, LearningRateSchedule.WARMUP_COSINE),
                new Setting("default: 3x3, 600 steps, 0.004 warmup-cosine", current, TrainerSettings.DEFAULT_TRAIN_STEPS,
                        TrainerSettings.DEFAULT_LEARNING_RATE, TrainerSettings.DEFAULT_LEARNING_RATE_SCHEDULE));
        System.out.printf("batch %d, %d interleaved rounds, %d cores, load average %.1f%n%n",
                TrainerSettings.DEFAULT_BATCH_SIZE, rounds, Runtime.getRuntime().availableProcessors(), loadAverage());
        Map<Setting, List<double[]>> results = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (Setting setting : settings) {
                results.computeIfAbsent(setting, s -> new ArrayList<>()).add(run(setting, train, test));
            }
        }
        System.out.printf("%-46s %12s %12s%n", "setting", "training s", "accuracy");
        results.forEach((setting, runs) -> System.out.printf("%-46s %12s %12s%n", setting.label(),
                column(runs, 0, "%.1f"), column(runs, 1, "%.2f%%")));
        List<double[]> defaults = results.get(settings.get(settings.size() - 1));
        double seconds = defaults.stream().mapToDouble(r -> r[0]).max().orElseThrow();
        double accuracy = defaults.stream().mapToDouble(r -> r[1]).min().orElseThrow() / 100;
        System.out.printf("%ndefault training, slowest round: %.1f s, target <= %.0f s, ratio %.2f: %s%n", seconds,
                TARGET_SECONDS, seconds / TARGET_SECONDS, seconds <= TARGET_SECONDS ? "MET" : "NOT MET");
        System.out.printf("default accuracy, lowest round: %.2f %%, target >= %.1f %%, ratio %.3f: %s%n",
                accuracy * 100, TARGET_ACCURACY * 100, accuracy / TARGET_ACCURACY,
                accuracy >= TARGET_ACCURACY ? "MET" : "NOT MET");
        System.out.printf("load average at the end %.1f%n", loadAverage());
    }

    /** Training seconds and test accuracy (%) of one run of {@code setting}. */
    private static double[] run(Setting setting, MnistDataset train, MnistDataset test) {
        TrainerSettings settings = setting.settings();
        try (TrainingGraph graph = new TrainingGraph(settings, MnistTrainer.SEED)) {
            BatchSampler batches = new BatchSampler(train, settings.batchSize(), MnistTrainer.SEED);
            long started = System.nanoTime();
            for (int step = 1; step <= settings.trainSteps(); step++) {
                graph.train(batches.next(), step == settings.trainSteps());
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double accuracy = graph.evaluate(test).accuracy() * 100.0;
            System.out.printf("  %-46s %6.1f s  %.2f %%%n", setting.label(), seconds, accuracy);
            return new double[] {seconds, accuracy};
        }
    }

    private static String column(List<double[]> runs, int index, String format) {
        return String.join(" / ", runs.stream().map(r -> String.format(format, r[index])).toList());
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
