package dev.caravan.smoketest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Checks a freshly served model version over gRPC, as Kubeflow's MNIST client did: sends the sample digits, and
 * passes when the expected version answered all of them and classified enough correctly.
 */
public final class SmokeTest {

    private final List<SampleDigit> digits;
    private final Duration deadline;

    /** The shipped sample digits, each request bounded by {@link PredictClient#DEFAULT_DEADLINE}. */
    public SmokeTest() {
        this(SampleDigits.load(), PredictClient.DEFAULT_DEADLINE);
    }

    public SmokeTest(List<SampleDigit> digits, Duration deadline) {
        if (digits.isEmpty()) {
            throw new IllegalArgumentException("a smoke test needs at least one sample digit");
        }
        this.digits = List.copyOf(digits);
        this.deadline = deadline;
    }

    /**
     * Runs the test; an unreachable or failing server gives a failed report, not an exception.
     *
     * @param minCorrectFraction the share of digits that must be classified correctly, 0..1 (0.9 for 9 of 10)
     */
    public SmokeTestReport run(String host, int grpcPort, String model, long expectedVersion, double minCorrectFraction) {
        if (minCorrectFraction < 0 || minCorrectFraction > 1) {
            throw new IllegalArgumentException("the share of correct digits must be within 0..1, not " + minCorrectFraction);
        }
        List<SmokeTestReport.DigitResult> results = new ArrayList<>();
        try (PredictClient client = new PredictClient(host, grpcPort, deadline)) {
            for (SampleDigit digit : digits) {
                PredictClient.Prediction prediction = client.predict(model, OptionalLong.empty(), digit.pixels());
                results.add(new SmokeTestReport.DigitResult(digit, prediction.digit(), prediction.version()));
            }
        } catch (PredictException e) {
            return SmokeTestReport.unanswered(model, expectedVersion, digits, results, e.getMessage());
        }
        return SmokeTestReport.judge(model, expectedVersion, minCorrectFraction, digits, results);
    }
}
