package dev.caravan.training;

import java.util.Random;

import dev.caravan.data.MnistDataset;

/** Mini-batches drawn without replacement from a dataset reshuffled at each epoch, seeded so runs repeat. */
final class BatchSampler {

    private final MnistDataset dataset;
    private final int batchSize;
    private final Random random;
    private final int[] order;
    private int next;

    BatchSampler(MnistDataset dataset, int batchSize, long seed) {
        if (batchSize > dataset.count()) {
            throw new IllegalArgumentException("a batch of " + batchSize + " images needs a dataset of at least as"
                    + " many, this one has " + dataset.count());
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.random = new Random(seed);
        this.order = new int[dataset.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        shuffle();
    }

    Batch next() {
        if (next + batchSize > order.length) {
            shuffle();
        }
        Batch batch = Batch.of(dataset, order, next, batchSize);
        next += batchSize;
        return batch;
    }

    private void shuffle() {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        next = 0;
    }
}
