package dev.caravan.smoketest;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/**
 * Turns a picture of a digit into what an MNIST model takes: 28x28 grayscale intensities 0..1, light ink on a dark
 * background. Pictures of dark ink on paper are inverted; other sizes are padded to a square (keeping the digit's
 * proportions) and scaled by averaging the pixels each target pixel covers.
 */
public final class DigitImage {

    private static final int SIDE = MnistShape.ROWS;

    private DigitImage() {
    }

    /** Reads a PNG (or JPEG, GIF, BMP) file. */
    public static float[] read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist");
        }
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException(file + " is not an image this program can read; use a PNG, JPEG, GIF or BMP file");
        }
        return fromImage(image);
    }

    public static float[] fromImage(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        float[] gray = intensities(image);
        if (borderMean(gray, width, height) > 0.5f) {
            for (int i = 0; i < gray.length; i++) {
                gray[i] = 1f - gray[i];
            }
        }
        int side = Math.max(width, height);
        float[] square = new float[side * side];
        int left = (side - width) / 2;
        int top = (side - height) / 2;
        for (int y = 0; y < height; y++) {
            System.arraycopy(gray, y * width, square, (top + y) * side + left, width);
        }
        return side == SIDE ? square : scale(square, side);
    }

    // Gray pictures are read from their samples: getRGB would pass them through a gamma curve and brighten the
    // strokes. Transparent pixels count as white paper, as a drawing program shows them.
    private static float[] intensities(BufferedImage image) {
        int width = image.getWidth();
        float[] gray = new float[width * image.getHeight()];
        Raster raster = image.getRaster();
        boolean grayBands = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        float max = (1 << image.getColorModel().getComponentSize(0)) - 1;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < width; x++) {
                int argb = image.getRGB(x, y);
                float alpha = (argb >>> 24) / 255f;
                float luminance = grayBands ? raster.getSample(x, y, 0) / max
                        : (0.299f * ((argb >> 16) & 0xff) + 0.587f * ((argb >> 8) & 0xff) + 0.114f * (argb & 0xff)) / 255f;
                gray[y * width + x] = alpha * luminance + (1f - alpha);
            }
        }
        return gray;
    }

    private static float borderMean(float[] gray, int width, int height) {
        double sum = 0;
        int count = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (y == 0 || x == 0 || y == height - 1 || x == width - 1) {
                    sum += gray[y * width + x];
                    count++;
                }
            }
        }
        return (float) (sum / count);
    }

    private static float[] scale(float[] square, int side) {
        float[] scaled = new float[SIDE * SIDE];
        for (int row = 0; row < SIDE; row++) {
            int top = row * side / SIDE;
            int bottom = Math.max(top + 1, (row + 1) * side / SIDE);
            for (int column = 0; column < SIDE; column++) {
                int left = column * side / SIDE;
                int right = Math.max(left + 1, (column + 1) * side / SIDE);
                float sum = 0;
                for (int y = top; y < bottom; y++) {
                    for (int x = left; x < right; x++) {
                        sum += square[y * side + x];
                    }
                }
                scaled[row * SIDE + column] = sum / ((bottom - top) * (right - left));
            }
        }
        return scaled;
    }
}
