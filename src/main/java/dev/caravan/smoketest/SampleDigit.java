package dev.caravan.smoketest;

/**
 * A labelled handwritten digit.
 *
 * @param mnistIndex where it comes from in the MNIST test set
 * @param label      the digit it shows, 0..9
 * @param pixels     28x28 intensities row by row, 0 blank .. 1 ink
 */
public record SampleDigit(int mnistIndex, int label, float[] pixels) {
}
