package dev.caravan.smoketest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.caravan.data.MnistData;
import dev.caravan.data.MnistDataset;
import dev.caravan.data.MnistSplit;

/** Smoke-test samples as JSON lines, and as MNIST test images. */
class SmokeSamplesTest {

    private static final String SOURCE = "s3://tfmnist/smoke/samples.jsonl";

    @Test
    void readsOneSamplePerLineWithItsExpectedOutputsFlattened() {
        List<SmokeSample> samples = SmokeSamples.fromJsonLines("""
                {"instances": [[1.0, 2.0]], "expected": {"classes": [7]}}

                {"inputs": {"x": [[1, 2]]}, "expected": {"scores": [[0.25, 0.75]], "ok": true}}
                """, SOURCE);

        assertThat(samples).extracting(SmokeSample::name).containsExactly("line 1", "line 3");
        assertThat(samples.get(0).expected().get("classes")).containsExactly(7);
        assertThat(samples.get(1).expected().get("scores")).containsExactly(0.25, 0.75);
        assertThat(samples.get(1).expected().get("ok")).containsExactly(1);
        assertThat(samples).allSatisfy(sample -> assertThat(sample.image()).isEmpty());
    }

    @Test
    void aSampleOf784ValuesIsDrawnAsADigit() {
        float[] seven = SampleDigits.load().get(0).pixels();

        SmokeSample sample = SmokeSamples.fromJsonLines(Samples.line(seven, "{\"classes\": [7]}"), SOURCE).get(0);

        assertThat(sample.image()).hasValueSatisfying(pixels -> assertThat(pixels).containsExactly(seven));
    }

    @Test
    void aLineThatIsNotJsonIsNamedWithItsNumber() {
        String text = "{\"instances\": [[1]], \"expected\": {\"classes\": [1]}}\n{\"instances\": [[1]], \"expected\"";

        assertThatThrownBy(() -> SmokeSamples.fromJsonLines(text, SOURCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(SOURCE + " line 2: it is not JSON: ");
    }

    @Test
    void aLineWithoutExpectedOutputsSaysWhatToAdd() {
        assertThatThrownBy(() -> SmokeSamples.fromJsonLines("{\"instances\": [[1]]}", SOURCE))
                .hasMessage(SOURCE + " line 1: it has no \"expected\" object naming the answer per output, such as"
                        + " \"expected\": {\"classes\": [7]}");
    }

    @Test
    void aLineThatIsNoPredictRequestGivesTheServersReason() {
        assertThatThrownBy(() -> SmokeSamples.fromJsonLines("{\"instance\": [[1]], \"expected\": {\"classes\": [1]}}",
                SOURCE))
                .hasMessage(SOURCE + " line 1: the request must have exactly one of \"instances\" (row format) or"
                        + " \"inputs\" (columnar format)");
        assertThatThrownBy(() -> SmokeSamples.fromJsonLines(
                "{\"instances\": [[1, 2], [3]], \"expected\": {\"classes\": [1]}}", SOURCE))
                .hasMessageStartingWith(SOURCE + " line 1: input 'instances' is ragged");
    }

    @Test
    void expectedValuesMustBeNumbers() {
        assertThatThrownBy(() -> SmokeSamples.fromJsonLines(
                "{\"instances\": [[1]], \"expected\": {\"classes\": [\"seven\"]}}", SOURCE))
                .hasMessage(SOURCE + " line 1: \"expected\".classes must be a number, a boolean or nested lists of"
                        + " them, not [\"seven\"]");
    }

    @Test
    void aFileWithoutSamplesIsRefused() {
        assertThatThrownBy(() -> SmokeSamples.fromJsonLines("\n  \n", SOURCE))
                .hasMessageStartingWith(SOURCE + " holds no sample; write one JSON object per line");
    }

    @Test
    void mnistSamplesAreTheFirstImagesWithTheirLabelsAsClasses() {
        MnistDataset test = MnistData.loadLocal(java.nio.file.Path.of("data", "mnist"), MnistSplit.TEST);

        List<SmokeSample> samples = SmokeSamples.fromMnist(test, 10);

        assertThat(samples).extracting(SmokeSample::name).containsExactly("test image 0", "test image 1",
                "test image 2", "test image 3", "test image 4", "test image 5", "test image 6", "test image 7",
                "test image 8", "test image 9");
        assertThat(samples).extracting(s -> (int) s.expected().get("classes")[0])
                .containsExactly(7, 2, 1, 0, 4, 1, 4, 9, 5, 9);
        assertThat(samples.get(0).image()).hasValueSatisfying(pixels -> assertThat(pixels)
                .containsExactly(SampleDigits.load().get(0).pixels()));
    }
}
