package dev.caravan.bench.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;

import dev.caravan.testutil.DiskFaults;
import dev.caravan.testutil.LocalDisks;

/**
 * The fault suite's disk scenario ({@code bench/faults.sh disk}): Caravan's home is a 16 MB tmpfs (root only:
 * reported as skipped where mount is refused). A new version is promoted with the disk's end placed at every 4 KB
 * around the export's size, so the disk fills before, during and after the copy, then with the disk read-only; and
 * a training starts on the full and on the read-only disk. Figures: whether every failure names the path and what
 * to do, how many half-written versions could be served, and whether the version before kept answering.
 */
public final class DiskFaultScenario {

    private static final Pattern MID_COPY = Pattern.compile("\\.partial-\\d+/");

    private DiskFaultScenario() {
    }

    public static void main(String[] args) throws Exception {
        // The embedded S3 server logs every start and stop at INFO, which would cut into the figures.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        Figures figures = new Figures("disk faults (home on a 16 MB tmpfs)");
        Path work = Files.createTempDirectory("caravan-faults-disk-");
        LocalDisks.Result<LocalDisks.Mount> mounted = LocalDisks.tmpfs(work.resolve("home"), "16m");
        if (mounted.refused()) {
            figures.report("skipped: " + mounted.refusal(), "-");
            figures.exit();
        }
        try (LocalDisks.Mount home = mounted.value(); DiskFaults faults = DiskFaults.start(home, work.resolve("s3"))) {
            List<DiskFaults.Outcome> full = new ArrayList<>();
            long version = 100;
            for (long free = 0; free <= faults.exportBytes() + 64 * 1024; free += 4096) {
                full.add(faults.promoteOnFullDisk(version++, free));
            }
            DiskFaults.Outcome readOnly = faults.promoteOnReadOnlyDisk(version++);
            report(figures, "promote on a full home", full, home.dir());
            report(figures, "promote on a read-only home", List.of(readOnly), home.dir());
            String trainFull = faults.trainOnFullDisk("run-full");
            String trainReadOnly = faults.trainOnReadOnlyDisk("run-read-only");
            figures.holds("train on a full home: clear error", clear(trainFull, home.dir(), "free space there"));
            figures.holds("train on a read-only home: clear error", clear(trainReadOnly, home.dir(), "remount it read-write"));
            System.out.println("  e.g. " + full.stream().filter(o -> o.error() != null && MID_COPY.matcher(o.error()).find())
                    .map(DiskFaults.Outcome::error).findFirst().orElse("(no copy failed mid-way)"));
            System.out.println("  e.g. " + readOnly.error());
            System.out.println("  e.g. " + trainFull);
        }
        figures.exit();
    }

    private static void report(Figures figures, String what, List<DiskFaults.Outcome> outcomes, Path home) {
        List<DiskFaults.Outcome> failed = outcomes.stream().filter(o -> o.error() != null).toList();
        // A file inside the partial folder failed: the copy had begun.
        long midCopy = failed.stream().filter(o -> MID_COPY.matcher(o.error()).find()).count();
        figures.report(what + ": attempts (failed before copy, mid-copy, fitted)", String.format(Locale.ROOT, "%d (%d, %d, %d)",
                outcomes.size(), failed.size() - midCopy, midCopy, outcomes.size() - failed.size()));
        figures.holds(what + ": clear error", !failed.isEmpty() && failed.stream().allMatch(o -> o.clearError(home)));
        figures.atMost(what + ": half-written versions served", outcomes.stream()
                .mapToLong(DiskFaults.Outcome::halfWrittenServed).sum(), 0);
        figures.holds(what + ": previous version still serving", failed.stream().allMatch(o ->
                o.servingAfter().orElse(-1) == 1 && o.previousAnswers()));
    }

    private static boolean clear(String error, Path home, String whatToDo) {
        return error != null && error.contains(home.toString()) && error.contains(whatToDo);
    }
}
