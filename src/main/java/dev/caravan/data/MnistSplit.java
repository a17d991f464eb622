package dev.caravan.data;

/** The two halves of MNIST and the standard names of their IDX files. */
public enum MnistSplit {

    TRAIN("train"),
    TEST("t10k");

    private final String filePrefix;

    MnistSplit(String filePrefix) {
        this.filePrefix = filePrefix;
    }

    /** The image file's name without {@code .gz}, e.g. {@code train-images-idx3-ubyte}. */
    public String imagesName() {
        return filePrefix + "-images-idx3-ubyte";
    }

    /** The label file's name without {@code .gz}, e.g. {@code train-labels-idx1-ubyte}. */
    public String labelsName() {
        return filePrefix + "-labels-idx1-ubyte";
    }
}
