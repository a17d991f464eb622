package dev.caravan.smoketest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitImageTest {

    private final float[] seven = SampleDigits.load().get(0).pixels();

    @Test
    void takesAnMnistStyleImageAsItIs() {
        float[] pixels = DigitImage.fromImage(Pictures.of(seven, 1, false));

        assertThat(pixels).containsExactly(seven, within(1f / 255));
    }

    @Test
    void invertsDarkInkOnPaperAndScalesItDown() {
        float[] pixels = DigitImage.fromImage(Pictures.of(seven, 3, true));

        assertThat(pixels).containsExactly(seven, within(1f / 255));
    }

    @Test
    void padsAWideImageToKeepTheDigitsProportions() {
        // a dot in the middle of a 56x28 picture: padded to 56x56 it stays in the middle, then 2x2 pixels make one
        BufferedImage wide = new BufferedImage(56, 28, BufferedImage.TYPE_BYTE_GRAY);
        wide.getRaster().setSample(28, 14, 0, 255);

        float[] pixels = DigitImage.fromImage(wide);

        assertThat(pixels).hasSize(784);
        assertThat(pixels[14 * 28 + 14]).isCloseTo(0.25f, within(0.01f));
        assertThat(pixels[7 * 28 + 14]).isZero();
    }

    @Test
    void refusesAFileThatIsNoImage(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("digit.png"), "not a picture");

        Assertions.assertThatThrownBy(() -> DigitImage.read(text)).isInstanceOf(IOException.class)
                .hasMessageContaining("is not an image this program can read");
    }
}
