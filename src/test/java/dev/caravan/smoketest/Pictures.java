package dev.caravan.smoketest;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/** Pictures of digits for tests, as a person would draw or scan them. */
public final class Pictures {

    private Pictures() {
    }

    /** The digit enlarged {@code scale} times, as dark ink on white paper when {@code onPaper}. */
    public static BufferedImage of(float[] pixels, int scale, boolean onPaper) {
        BufferedImage image = new BufferedImage(28 * scale, 28 * scale, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28 * scale; y++) {
            for (int x = 0; x < 28 * scale; x++) {
                int ink = Math.round(pixels[(y / scale) * 28 + x / scale] * 255);
                image.getRaster().setSample(x, y, 0, onPaper ? 255 - ink : ink);
            }
        }
        return image;
    }

    public static Path png(float[] pixels, int scale, boolean onPaper, Path file) throws IOException {
        ImageIO.write(of(pixels, scale, onPaper), "png", file.toFile());
        return file;
    }
}
