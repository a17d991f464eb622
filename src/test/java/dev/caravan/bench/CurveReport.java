package dev.caravan.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The serving curve's points, printed as a table and as the three targets. */
record CurveReport(List<CurvePoint> points, int cores, int[] concurrency) {

    static final double GRPC_TARGET = 0.50;
    static final double REST_TARGET = 0.40;
    static final double P99_TARGET_MILLIS = 2.0;
    static final int TARGET_CONCURRENCY = 32;

    /** The limit: in-process TensorFlow at batch 32, images per second. */
    double limit() {
        return point(ServingCurveBench.IN_PROCESS + " batch " + ServingCurveBench.LIMIT_BATCH, cores).imagesPerSecond();
    }

    /** The point of a path at a concurrency (the limit's lines are at one thread per core). */
    CurvePoint point(String path, int concurrency) {
        return points.stream().filter(p -> p.path().equals(path) && p.concurrency() == concurrency).findFirst()
                .orElseThrow(() -> new IllegalStateException("no point for " + path + " at " + concurrency));
    }

    /** The batch-1 points of one path, by rising concurrency. */
    List<CurvePoint> curve(String path) {
        return points.stream().filter(p -> p.path().equals(path)).toList();
    }

    void print(PrintStream out, double loadAverage) {
        double limit = limit();
        out.printf(Locale.ROOT, "The limit: in-process TensorFlow, %d threads, images/s by batch size%n", cores);
        for (int batch : ServingCurveBench.LIMIT_BATCHES) {
            CurvePoint p = point(ServingCurveBench.IN_PROCESS + " batch " + batch, cores);
            out.printf(Locale.ROOT, "  batch %2d  %8.0f images/s%s%n", batch, p.imagesPerSecond(),
                    batch == ServingCurveBench.LIMIT_BATCH ? "   <- the limit" : "");
        }
        out.printf(Locale.ROOT, "%nBatch-1 clients. client us: the client's threads' CPU per call (for in-process, the "
                + "call itself); server us: the rest of the process's CPU per call (the server's threads, collector, "
                + "compiler, TensorFlow's own threads); share: the client's CPU as a share of the %d cores while "
                + "measured.%nratio: images/s / limit; without client: "
                + "images/s / (1 - client share) / limit, the rate the server would reach with the client's CPU its "
                + "own, at the same CPU per call.%n%n", cores);
        out.printf("%-10s %5s %10s %9s %9s %10s %10s %6s %7s %15s%n", "path", "conc", "images/s", "p50 ms", "p99 ms",
                "client us", "server us", "share", "ratio", "without client");
        for (int clients : concurrency) {
            for (String path : List.of(ServingCurveBench.IN_PROCESS, ServingCurveBench.GRPC, ServingCurveBench.REST)) {
                CurvePoint p = point(path, clients);
                boolean served = !path.equals(ServingCurveBench.IN_PROCESS);
                out.printf(Locale.ROOT, "%-10s %5d %10.0f %9.3f %9.3f %10.0f %10s %6s %7.2f %15s%n", path, clients,
                        p.imagesPerSecond(), p.p50Millis(), p.p99Millis(), p.clientMicrosPerCall(),
                        String.format(Locale.ROOT, "%.0f", p.serverMicrosPerCall()),
                        served ? String.format(Locale.ROOT, "%.0f%%", 100 * p.clientShare(cores)) : "-",
                        p.imagesPerSecond() / limit,
                        served ? String.format(Locale.ROOT, "%.2f", p.imagesPerSecondWithoutClient(cores) / limit) : "-");
            }
        }
        out.printf(Locale.ROOT, "%nTargets (limit %.0f images/s, in-process batch %d):%n", limit,
                ServingCurveBench.LIMIT_BATCH);
        throughput(out, ServingCurveBench.GRPC, GRPC_TARGET, limit);
        throughput(out, ServingCurveBench.REST, REST_TARGET, limit);
        latency(out, ServingCurveBench.GRPC);
        latency(out, ServingCurveBench.REST);
        out.printf(Locale.ROOT, "%nload average at the end %.2f%n", loadAverage);
    }

    private void throughput(PrintStream out, String path, double target, double limit) {
        CurvePoint p = point(path, TARGET_CONCURRENCY);
        double without = p.imagesPerSecondWithoutClient(cores) / limit;
        double raw = p.imagesPerSecond() / limit;
        out.printf(Locale.ROOT, "  %-4s @%d clients, client CPU taken out: %6.0f images/s, target >= %.0f (%.0f %%), "
                        + "ratio %.2f: %s%n", path, TARGET_CONCURRENCY, p.imagesPerSecondWithoutClient(cores),
                target * limit, target * 100, without, verdict(without >= target));
        out.printf(Locale.ROOT, "  %-4s @%d clients, as measured:           %6.0f images/s, target >= %.0f (%.0f %%), "
                        + "ratio %.2f: %s (client %.0f us/call, %.0f %% of the cores)%n", path, TARGET_CONCURRENCY,
                p.imagesPerSecond(), target * limit, target * 100, raw, verdict(raw >= target), p.clientMicrosPerCall(),
                100 * p.clientShare(cores));
    }

    private void latency(PrintStream out, String path) {
        double p99 = point(path, 1).p99Millis();
        out.printf(Locale.ROOT, "  %-4s @1 client, p99: %.3f ms, target <= %.1f ms, ratio %.2f: %s%n", path, p99,
                P99_TARGET_MILLIS, p99 / P99_TARGET_MILLIS, verdict(p99 <= P99_TARGET_MILLIS));
    }

    private static String verdict(boolean met) {
        return met ? "MET" : "NOT MET";
    }
}
