package dev.caravan.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.caravan.smoketest.SmokeTestReport.SampleResult;

/** How a report reads for samples that are no pictures, and for samples that could not be read. */
class SmokeTestReportTest {

    private final SmokeSample price = new SmokeSample("line 1", "{\"instances\": [[3, 120.5]]}",
            Map.of("price", new double[] {250000}), Optional.empty());
    private final SmokeSample other = new SmokeSample("line 2", "{\"instances\": [[1, 40]]}",
            Map.of("price", new double[] {90000}), Optional.empty());

    @Test
    void samplesThatAreNoPicturesGetAPlainSummaryLine() {
        SmokeTestReport report = SmokeTestReport.judge("houses", 4, 0.5, List.of(price, other), List.of(
                new SampleResult(price, Map.of("price", new double[] {250000}), 4, Optional.empty()),
                new SampleResult(other, Map.of("price", new double[] {91234.5}), 4,
                        Optional.of("output 'price': expected [90000], answered [9.123e+04]"))));

        String[] lines = report.render().split("\n");
        assertThat(lines[0]).isEqualTo("Your model answered 2 of 2 samples, 1 as expected.");
        assertThat(lines[1]).isEmpty();
        assertThat(lines[3]).matches("line 1 +price \\[250000\\] +price \\[250000\\] +4");
        assertThat(lines[4]).matches("line 2 +price \\[90000\\] +price \\[9.123e\\+04\\] +4  wrong");
        assertThat(lines[5]).isEqualTo("1/2 correct (at least 1 required), model houses version 4 expected: PASSED");
        assertThat(report.render()).doesNotContain("@", "Your model says");
    }

    @Test
    void samplesThatCannotBeReadFailTheTestWithTheReason() {
        SmokeTestReport report = SmokeTestReport.unanswered("houses", 4, List.of(), List.of(),
                "the smoke-test samples s3://b/k do not exist");

        assertThat(report.passed()).isFalse();
        assertThat(report.render()).startsWith("No sample could be sent.\n")
                .endsWith("0/0 correct, model houses version 4 expected: FAILED: the smoke-test samples s3://b/k do not"
                        + " exist\n");
    }

    @Test
    void longOutputsAreCutAndFloatsShortened() {
        assertThat(Values.format(new double[] {0.1f, 0.25, 1e-5, 7, 3})).isEqualTo("[0.1, 0.25, 1e-05, 7, ... 5 values]");
    }
}
