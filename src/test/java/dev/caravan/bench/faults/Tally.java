package dev.caravan.bench.faults;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What clients of one transport saw: answers and their latencies (nanoseconds) by phase, failed requests, and how
 * many answers each model version gave (0 where the transport does not say, as REST does not). One client thread
 * writes its own tally; tallies are added up once the threads ended.
 */
public final class Tally {

    private final Map<Phase, long[]> latencies = new EnumMap<>(Phase.class);
    private final Map<Phase, Integer> counts = new EnumMap<>(Phase.class);
    private final Map<Long, Long> answersByVersion = new TreeMap<>();
    private long failed;

    void answered(Phase phase, long nanos, long version) {
        record(phase, nanos);
        answersByVersion.merge(version, 1L, Long::sum);
    }

    void countFailure() {
        failed++;
    }

    /** This tally and {@code other}, as if one client had made both's requests. */
    Tally plus(Tally other) {
        Tally sum = new Tally();
        for (Tally part : List.of(this, other)) {
            part.latencies.forEach((phase, values) -> {
                for (int i = 0; i < part.counts.get(phase); i++) {
                    sum.record(phase, values[i]);
                }
            });
            part.answersByVersion.forEach((version, count) -> sum.answersByVersion.merge(version, count, Long::sum));
            sum.failed += part.failed;
        }
        return sum;
    }

    /** Requests answered correctly in {@code phase}. */
    public long answered(Phase phase) {
        return counts.getOrDefault(phase, 0);
    }

    /** Requests that failed, in any phase: an error status, no answer, or an answer of the wrong shape. */
    public long failed() {
        return failed;
    }

    /** The latency (milliseconds) that {@code fraction} (0..1) of the answers in {@code phase} stayed under. */
    public double percentileMillis(Phase phase, double fraction) {
        int count = counts.getOrDefault(phase, 0);
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(latencies.get(phase), count);
        Arrays.sort(sorted);
        return sorted[Math.min(count - 1, (int) (fraction * count))] / 1e6;
    }

    private void record(Phase phase, long nanos) {
        long[] own = latencies.computeIfAbsent(phase, p -> new long[1 << 12]);
        int count = counts.getOrDefault(phase, 0);
        if (count == own.length) {
            own = Arrays.copyOf(own, count * 2);
            latencies.put(phase, own);
        }
        own[count] = nanos;
        counts.put(phase, count + 1);
    }

    /** Answers by the version that gave them; version 0 counts answers that do not say. */
    public Map<Long, Long> answersByVersion() {
        return Map.copyOf(answersByVersion);
    }
}
