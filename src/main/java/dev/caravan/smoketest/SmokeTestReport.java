package dev.caravan.smoketest;

import java.util.List;
import java.util.Optional;

/** What a smoke test found: per sample digit the label and the prediction, and whether the version passed. */
public final class SmokeTestReport {

    /** One sample digit sent: its label ({@link #expected()}), the class predicted and the version that answered. */
    public record DigitResult(SampleDigit digit, int predicted, long version) {

        public int expected() {
            return digit.label();
        }

        public boolean correct() {
            return predicted == digit.label();
        }
    }

    private final String model;
    private final long expectedVersion;
    private final List<SampleDigit> sent;
    private final List<DigitResult> results;
    private final String failureReason;
    private final String requirement;

    private SmokeTestReport(String model, long expectedVersion, List<SampleDigit> sent, List<DigitResult> results,
                            String failureReason, String requirement) {
        this.model = model;
        this.expectedVersion = expectedVersion;
        this.sent = List.copyOf(sent);
        this.results = List.copyOf(results);
        this.failureReason = failureReason;
        this.requirement = requirement;
    }

    static SmokeTestReport unanswered(String model, long expectedVersion, List<SampleDigit> sent,
                                      List<DigitResult> results, String reason) {
        return new SmokeTestReport(model, expectedVersion, sent, results, reason, "");
    }

    static SmokeTestReport judge(String model, long expectedVersion, double minCorrectFraction, List<SampleDigit> sent,
                                 List<DigitResult> results) {
        int required = (int) Math.ceil(minCorrectFraction * sent.size() - 1e-9);
        String requirement = " (at least " + required + " required)";
        Optional<DigitResult> wrongVersion = results.stream().filter(r -> r.version() != expectedVersion).findFirst();
        long correct = results.stream().filter(DigitResult::correct).count();
        String reason = null;
        if (wrongVersion.isPresent()) {
            DigitResult r = wrongVersion.get();
            reason = "MNIST test image " + r.digit().mnistIndex() + " was answered by version " + r.version() + " of model "
                    + model + ", not the expected version " + expectedVersion + "; the new version is not the one served";
        } else if (correct < required) {
            reason = "only " + correct + "/" + sent.size() + " sample digits were classified correctly, fewer than the "
                    + required + " required; the model is not good enough to serve";
        }
        return new SmokeTestReport(model, expectedVersion, sent, results, reason, requirement);
    }

    public boolean passed() {
        return failureReason == null;
    }

    /** Why the test failed, in words a person can act on; empty when it passed. */
    public Optional<String> failureReason() {
        return Optional.ofNullable(failureReason);
    }

    public String model() {
        return model;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    /** One result per digit answered, in the order sent; fewer than sent when the server stopped answering. */
    public List<DigitResult> digits() {
        return results;
    }

    public long correctCount() {
        return results.stream().filter(DigitResult::correct).count();
    }

    /**
     * The first digit drawn in 28 lines of '@' and '.', the model's answer for it, then every digit's expected and
     * predicted class and the verdict.
     */
    public String render() {
        StringBuilder text = new StringBuilder(AsciiDigit.render(sent.get(0).pixels()));
        if (results.isEmpty()) {
            text.append("Your model could not say what the above number is.\n");
        } else {
            text.append("Your model says the above number is... ").append(results.get(0).predicted()).append("!\n");
        }
        text.append('\n').append(String.format("%-12s%10s%11s%9s%n", "mnist image", "expected", "predicted", "version"));
        for (DigitResult r : results) {
            text.append(String.format("%-12d%10d%11d%9d%s%n", r.digit().mnistIndex(), r.expected(), r.predicted(),
                    r.version(), r.correct() ? "" : "  wrong"));
        }
        text.append(correctCount()).append('/').append(sent.size()).append(" correct").append(requirement)
                .append(", model ").append(model).append(" version ").append(expectedVersion).append(" expected: ")
                .append(passed() ? "PASSED" : "FAILED: " + failureReason).append('\n');
        return text.toString();
    }
}
