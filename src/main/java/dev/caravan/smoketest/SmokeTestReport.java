package dev.caravan.smoketest;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a smoke test found: per sample the expected and the answered outputs, and whether the version passed. */
public final class SmokeTestReport {

    /** One sample sent: the outputs answered, the version that answered, and what did not match, if anything. */
    public record SampleResult(SmokeSample sample, Map<String, double[]> answered, long version,
                               Optional<String> mismatch) {

        public boolean correct() {
            return mismatch.isEmpty();
        }
    }

    private final String model;
    private final long expectedVersion;
    private final List<SmokeSample> sent;
    private final List<SampleResult> results;
    private final String failureReason;
    private final String requirement;

    private SmokeTestReport(String model, long expectedVersion, List<SmokeSample> sent, List<SampleResult> results,
                            String failureReason, String requirement) {
        this.model = model;
        this.expectedVersion = expectedVersion;
        this.sent = List.copyOf(sent);
        this.results = List.copyOf(results);
        this.failureReason = failureReason;
        this.requirement = requirement;
    }

    /** A test that could not finish: the samples could not be read, or the server stopped answering. */
    static SmokeTestReport unanswered(String model, long expectedVersion, List<SmokeSample> sent,
                                      List<SampleResult> results, String reason) {
        return new SmokeTestReport(model, expectedVersion, sent, results, reason, "");
    }

    static SmokeTestReport judge(String model, long expectedVersion, double minCorrect, List<SmokeSample> sent,
                                 List<SampleResult> results) {
        int required = (int) Math.ceil(minCorrect * sent.size() - 1e-9);
        String requirement = " (at least " + required + " required)";
        Optional<SampleResult> wrongVersion = results.stream().filter(r -> r.version() != expectedVersion).findFirst();
        Optional<SampleResult> firstWrong = results.stream().filter(r -> !r.correct()).findFirst();
        long correct = results.stream().filter(SampleResult::correct).count();
        String reason = null;
        if (wrongVersion.isPresent()) {
            SampleResult r = wrongVersion.get();
            reason = "sample " + r.sample().name() + " was answered by version " + r.version() + " of model " + model
                    + ", not the expected version " + expectedVersion + "; the new version is not the one served";
        } else if (correct < required) {
            reason = "only " + correct + "/" + sent.size() + " samples were answered as expected, fewer than the "
                    + required + " required (first wrong: " + firstWrong.map(r -> r.sample().name() + ": "
                    + r.mismatch().orElseThrow()).orElse("none") + "); the model is not good enough to serve";
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

    /** The samples the test had to send. */
    public List<SmokeSample> sent() {
        return sent;
    }

    /** One result per sample answered, in the order sent; fewer than sent when the server stopped answering. */
    public List<SampleResult> results() {
        return results;
    }

    public long correctCount() {
        return results.stream().filter(SampleResult::correct).count();
    }

    /**
     * The first sample drawn in 28 lines of '@' and '.' with the model's answer for it when it is a 28x28 image
     * (else a line of counts), then every sample's expected and answered outputs and the verdict.
     */
    public String render() {
        StringBuilder text = new StringBuilder(ReportText.opening(sent, results));
        text.append('\n').append(ReportText.table(results));
        text.append(correctCount()).append('/').append(sent.size()).append(" correct").append(requirement)
                .append(", model ").append(model).append(" version ").append(expectedVersion).append(" expected: ")
                .append(passed() ? "PASSED" : "FAILED: " + failureReason).append('\n');
        return text.toString();
    }
}
