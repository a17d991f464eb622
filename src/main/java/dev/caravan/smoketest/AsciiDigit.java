package dev.caravan.smoketest;

/** Draws a 28x28 digit as text, as the classic MNIST client does: '@' for ink, '.' for blank. */
public final class AsciiDigit {

    /** Pixels at least this bright count as ink; half way keeps the anti-aliased edges thin. */
    static final float INK = 0.5f;

    private AsciiDigit() {
    }

    /** 28 lines of 28 characters, each line ending with a newline. */
    public static String render(float[] pixels) {
        if (pixels.length != MnistShape.PIXELS) {
            throw new IllegalArgumentException("a digit has 28x28 = 784 pixels, not " + pixels.length);
        }
        StringBuilder text = new StringBuilder(MnistShape.PIXELS + MnistShape.ROWS);
        for (int row = 0; row < MnistShape.ROWS; row++) {
            for (int column = 0; column < MnistShape.COLUMNS; column++) {
                text.append(pixels[row * MnistShape.COLUMNS + column] >= INK ? '@' : '.');
            }
            text.append('\n');
        }
        return text.toString();
    }
}
