package dev.caravan.smoketest;

/** The shape of an MNIST digit, as the model takes it: 28 rows of 28 pixels. */
public final class MnistShape {

    public static final int ROWS = 28;
    public static final int COLUMNS = 28;
    public static final int PIXELS = ROWS * COLUMNS;

    private MnistShape() {
    }
}
