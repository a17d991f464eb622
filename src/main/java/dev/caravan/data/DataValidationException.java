package dev.caravan.data;

/** A data file that cannot be used; the message names the file, the problem and what to do about it. */
public class DataValidationException extends RuntimeException {

    private final String source;

    public DataValidationException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    /** The file or object at fault, e.g. {@code s3://tfmnist/data/mnist/train-labels-idx1-ubyte.gz}. */
    public String source() {
        return source;
    }
}
