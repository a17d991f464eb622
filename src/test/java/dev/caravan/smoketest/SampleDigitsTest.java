package dev.caravan.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.caravan.serving.testutil.MnistData;
import org.junit.jupiter.api.Test;

class SampleDigitsTest {

    @Test
    void shipsOneDigitOfEachClassWithTestImageZeroFirst() {
        List<SampleDigit> digits = SampleDigits.load();

        assertThat(digits).hasSize(10);
        assertThat(digits.get(0).mnistIndex()).isZero();
        assertThat(digits.get(0).label()).isEqualTo(7);
        assertThat(digits).extracting(SampleDigit::label).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void digitsAreTheMnistTestImagesTheyNameAsSource() {
        MnistData.Digits test = MnistData.test(100);

        for (SampleDigit digit : SampleDigits.load()) {
            assertThat(digit.pixels()).containsExactly(test.images()[digit.mnistIndex()]);
            assertThat(digit.label()).isEqualTo(test.labels()[digit.mnistIndex()]);
        }
    }

    @Test
    void drawsADigitIn28LinesOf28Characters() {
        String drawing = AsciiDigit.render(SampleDigits.load().get(0).pixels());

        String[] lines = drawing.split("\n");
        assertThat(lines).hasSize(28).allSatisfy(line -> assertThat(line).hasSize(28).matches("[@.]+"));
        assertThat(lines[0]).isEqualTo(".".repeat(28));
        assertThat(drawing).contains("@@@@");
    }
}
