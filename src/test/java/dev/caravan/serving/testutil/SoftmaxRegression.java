package dev.caravan.serving.testutil;

/**
 * A linear MNIST classifier trained with plain mini-batch gradient descent: about 0.9 accuracy in a fraction of
 * a second, which is enough for tests that check served predictions against real labels.
 */
final class SoftmaxRegression {

    static final int CLASSES = 10;
    private static final int BATCH = 100;
    private static final float LEARNING_RATE = 0.5f;

    final float[][] weights;
    final float[] biases = new float[CLASSES];

    private SoftmaxRegression(int features) {
        this.weights = new float[features][CLASSES];
    }

    static SoftmaxRegression train(MnistData.Digits digits, int epochs) {
        SoftmaxRegression model = new SoftmaxRegression(digits.images()[0].length);
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int start = 0; start + BATCH <= digits.size(); start += BATCH) {
                model.step(digits, start);
            }
        }
        return model;
    }

    int predict(float[] image) {
        float[] logits = logits(image);
        int best = 0;
        for (int c = 1; c < CLASSES; c++) {
            best = logits[c] > logits[best] ? c : best;
        }
        return best;
    }

    private void step(MnistData.Digits digits, int start) {
        float[][] weightGradient = new float[weights.length][CLASSES];
        float[] biasGradient = new float[CLASSES];
        for (int i = start; i < start + BATCH; i++) {
            float[] image = digits.images()[i];
            float[] error = softmax(logits(image));
            error[digits.labels()[i]] -= 1f;
            for (int p = 0; p < image.length; p++) {
                if (image[p] != 0f) {
                    for (int c = 0; c < CLASSES; c++) {
                        weightGradient[p][c] += image[p] * error[c];
                    }
                }
            }
            for (int c = 0; c < CLASSES; c++) {
                biasGradient[c] += error[c];
            }
        }
        float scale = LEARNING_RATE / BATCH;
        for (int p = 0; p < weights.length; p++) {
            for (int c = 0; c < CLASSES; c++) {
                weights[p][c] -= scale * weightGradient[p][c];
            }
        }
        for (int c = 0; c < CLASSES; c++) {
            biases[c] -= scale * biasGradient[c];
        }
    }

    private float[] logits(float[] image) {
        float[] logits = biases.clone();
        for (int p = 0; p < image.length; p++) {
            if (image[p] != 0f) {
                for (int c = 0; c < CLASSES; c++) {
                    logits[c] += image[p] * weights[p][c];
                }
            }
        }
        return logits;
    }

    private static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        float sum = 0f;
        float[] out = new float[logits.length];
        for (int c = 0; c < logits.length; c++) {
            out[c] = (float) Math.exp(logits[c] - max);
            sum += out[c];
        }
        for (int c = 0; c < logits.length; c++) {
            out[c] /= sum;
        }
        return out;
    }
}
