package dev.caravan.dashboard;

import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.openqa.selenium.By;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.ApplicationEventMulticaster;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.caravan.pipeline.RunEvent;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;

/**
 * The dashboard in headless Chromium with 10,000 runs in the run table: the runs page's weight (bytes transferred
 * with the cache off: the document, its modules, styles and the first API answers) and its time to first render
 * (navigation start to the first row of the runs table), then, on real runs, the delay from a step finishing
 * (Caravan publishes StepFinished) to the run page showing it COMPLETED. Browser and Caravan share this machine's
 * wall clock. Targets: step delay <= 1 s; the runs page lighter than ECharts alone (500 KB: the graph library loads
 * only on pages that draw one) and first shown within 1 s. Prints figures; asserts nothing.
 * Usage: {@code DashboardBench [--caravan.some.property=value ...]}.
 */
public final class DashboardBench {

    private static final int SEEDED_RUNS = 10_000;
    private static final int REPEATS = 5;
    private static final String TOKEN = "dashboard-bench-token-0123456789";
    private static final List<String> STEPS = DashboardTest.STEPS;

    private static final String FIRST_ROW_CLOCK = """
            window.__firstRow = null;
            new MutationObserver((changes, observer) => {
              if (document.querySelector("[data-testid='runs-table'] tr[data-run]")) {
                window.__firstRow = performance.now();
                observer.disconnect();
              }
            }).observe(document, {subtree: true, childList: true});
            """;
    private static final String STEP_CLOCK = """
            window.__stepsShownAt = null;
            window.__completedAt = {};
            new MutationObserver(() => {
              const items = document.querySelectorAll("ul[data-testid='steps'] li[data-step]");
              if (items.length > 0 && window.__stepsShownAt === null) {
                window.__stepsShownAt = Date.now();
              }
              items.forEach(li => {
                const step = li.getAttribute('data-step');
                if (li.getAttribute('data-status') === 'COMPLETED' && !(step in window.__completedAt)) {
                  window.__completedAt[step] = Date.now();
                }
              });
            }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-status']});
            """;
    private static final String WEIGHT = """
            const size = e => e.transferSize || e.encodedBodySize || 0;
            const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
            return {bytes: entries.reduce((sum, e) => sum + size(e), 0), count: entries.length,
                    largest: entries.sort((a, b) => size(b) - size(a)).slice(0, 3).map(e => e.name + ' ' + size(e)),
                    slowest: [...entries].sort((a, b) => b.duration - a.duration).slice(0, 1)
                        .map(e => e.name + ' ' + Math.round(e.startTime) + '+' + Math.round(e.duration) + ' ms')};
            """;

    private DashboardBench() {
    }

    public static void main(String[] args) throws Exception {
        if (!Files.isExecutable(Browser.CHROMEDRIVER) || !Files.isExecutable(Browser.CHROMIUM)) {
            System.err.println("needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver");
            System.exit(2);
        }
        List<String> settings = new ArrayList<>(List.of("--logging.threshold.console=WARN",
                "--caravan.api.token=" + TOKEN,
                "--caravan.pipelines.mnist.trainer.parameters.trainSteps=100",
                "--caravan.pipelines.mnist.gate.min=0", "--caravan.pipelines.mnist.gate.tolerance=1",
                "--caravan.pipelines.mnist.smokeTest.minCorrect=0"));
        settings.addAll(List.of(args));
        // The browser closes first: its open event stream would hold Caravan's graceful shutdown.
        try (CaravanInstance caravan = CaravanInstance.start(CaravanTestProperties.newHome(),
                settings.toArray(String[]::new)); Browser browser = new Browser()) {
            String base = "http://127.0.0.1:" + caravan.bean(Environment.class).getProperty("local.server.port") + "/";
            seed(caravan.bean(JdbcTemplate.class));
            ChromeDriver driver = browser.start();
            driver.executeCdpCommand("Network.enable", Map.of());
            driver.executeCdpCommand("Network.setCacheDisabled", Map.of("cacheDisabled", true));
            out("Caravan dashboard benchmark (%d cores, headless %s, %,d runs in the run table)",
                    Runtime.getRuntime().availableProcessors(), driver.getCapabilities().getBrowserVersion(), SEEDED_RUNS);
            runsPage(browser, base);
            stepDelays(browser, caravan, base);
        }
    }

    /** Runs as the table holds them after months of use: mostly promoted, some rejected, failed, stopped, dropped. */
    private static void seed(JdbcTemplate jdbc) {
        String[][] endings = {{"COMPLETED", "PROMOTED", null}, {"COMPLETED", "PROMOTED", null},
            {"COMPLETED", "REJECTED", "accuracy 0.9612 is below the gate's minimum 0.97"},
            {"COMPLETED", "SUPERSEDED", "newer data came first"},
            {"FAILED", "FAILED", "validateData: s3://tfmnist/data/mnist/train-labels-idx1-ubyte.gz: label 12 at index 345"},
            {"STOPPED", "STOPPED", "stopped through the API"}, {"DROPPED", null, "replaced by a newer request"}};
        Instant now = Instant.now();
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < SEEDED_RUNS; i++) {
            String[] ending = endings[i % endings.length];
            Instant created = now.minus(Duration.ofMinutes(10L * (SEEDED_RUNS - i)));
            Instant started = "DROPPED".equals(ending[0]) ? null : created.plusSeconds(1);
            rows.add(new Object[] {String.format(Locale.ROOT, "mnist-%010x", 0x5eed000000L + i), "mnist",
                String.format(Locale.ROOT, "%064x", i), ending[0], ending[1], ending[2],
                "PROMOTED".equals(ending[1]) ? (long) i + 100 : null, Timestamp.from(created),
                started == null ? null : Timestamp.from(started), Timestamp.from(created.plusSeconds(95)),
                i % 3 == 0 ? "api" : "upload s3://tfmnist/data/mnist/"});
        }
        jdbc.batchUpdate("INSERT INTO caravan_run (run_name, model, snapshot, status, outcome, message, model_version, "
                + "created_at, started_at, ended_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
    }

    /**
     * The runs page loaded with the browser's cache off, once on a fresh Caravan (reported alone), then
     * {@value #REPEATS} times: its weight and the time to its first row.
     */
    private static void runsPage(Browser browser, String base) {
        ChromeDriver driver = browser.driver();
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", FIRST_ROW_CLOCK));
        List<Double> kilobytes = new ArrayList<>();
        List<Double> firstRender = new ArrayList<>();
        Map<?, ?> weight = Map.of();
        double coldStart = Double.NaN;
        List<String> slowest = new ArrayList<>();
        for (int i = -1; i < REPEATS; i++) {
            driver.get("about:blank");
            driver.get(base + "#/runs");
            Number shown = (Number) browser.waitUpTo(Duration.ofSeconds(60)).withMessage("the runs page showed no row")
                    .until(d -> browser.script("return window.__firstRow;"));
            weight = settledWeight(browser);
            if (i < 0) {
                coldStart = shown.doubleValue();
                continue;
            }
            firstRender.add(shown.doubleValue());
            slowest.add(Math.round(shown.doubleValue()) + " ms, slowest " + weight.get("slowest"));
            kilobytes.add(((Number) weight.get("bytes")).doubleValue() / 1024);
        }
        String total = driver.findElements(By.cssSelector("[data-testid='runs-total']")).stream().findFirst()
                .map(e -> e.getText().trim()).orElse("(no runs-total)");
        out("  runs page weight: median %.0f KB, max %.0f KB in %s requests (target <= 500 KB, %.0f%% of it); largest: %s",
                median(kilobytes), max(kilobytes), weight.get("count"), 100 * max(kilobytes) / 500, weight.get("largest"));
        out("  runs page first render (navigation start to first row, runs-total '%s'): median %.0f ms, max %.0f ms"
                + " (target <= 1000 ms, %.0f%% of it); the first load after Caravan started: %.0f ms", total,
                median(firstRender), max(firstRender), 100 * max(firstRender) / 1000, coldStart);
        out("    each load: %s", slowest);
    }

    /** The page's resources once no new one has come for a second. */
    private static Map<?, ?> settledWeight(Browser browser) {
        long[] last = {-1, System.nanoTime()};
        return browser.waitUpTo(Duration.ofSeconds(30)).pollingEvery(Duration.ofMillis(200)).until(d -> {
            Map<?, ?> now = (Map<?, ?>) browser.script(WEIGHT);
            long count = ((Number) now.get("count")).longValue();
            if (count != last[0]) {
                last[0] = count;
                last[1] = System.nanoTime();
                return null;
            }
            return System.nanoTime() - last[1] > TimeUnit.SECONDS.toNanos(1) ? now : null;
        });
    }

    /**
     * Real runs with the run page open: for each step that finishes after the page showed its steps, the time from
     * Caravan publishing StepFinished to the page showing the step COMPLETED.
     */
    private static void stepDelays(Browser browser, CaravanInstance caravan, String base) {
        Map<String, Long> finishedAt = new ConcurrentHashMap<>();
        BlockingQueue<String> started = new LinkedBlockingQueue<>();
        caravan.bean(ApplicationEventMulticaster.class).addApplicationListener(event -> {
            if (event instanceof PayloadApplicationEvent<?> payload) {
                if (payload.getPayload() instanceof RunEvent.StepFinished step) {
                    finishedAt.put(step.run() + "/" + step.step(), System.currentTimeMillis());
                } else if (payload.getPayload() instanceof RunEvent.RunStarted run) {
                    started.add(run.run());
                }
            }
        });
        ChromeDriver driver = browser.driver();
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", STEP_CLOCK));
        CaravanApi api = new CaravanApi(base, TOKEN);
        S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
        MnistUploads.uploadAll(caravan.store(), data);
        MnistUploads.marker(caravan.store(), data);
        List<Double> delays = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        String run = next(started);
        for (int attempt = 1; attempt <= 4 && (attempt <= 2 || delays.size() < REPEATS); attempt++) {
            if (attempt > 1) {
                run = api.resubmit(run, Map.of("trainSteps", String.valueOf(100 + attempt)));
            }
            driver.get("about:blank");
            driver.get(base + "#/runs/" + run);
            try {
                browser.waitUpTo(Duration.ofMinutes(3)).until(d -> ((Number) browser.script(
                        "return Object.keys(window.__completedAt).length;")).intValue() == STEPS.size());
            } catch (TimeoutException e) {
                missed.add(run + ": not every step shown COMPLETED within 3 minutes");
            }
            Map<?, ?> shown = (Map<?, ?>) browser.script("return window.__completedAt;");
            Number listShown = (Number) browser.script("return window.__stepsShownAt;");
            for (String step : STEPS) {
                Long finished = finishedAt.get(run + "/" + step);
                Object seen = shown.get(step);
                if (finished == null || listShown == null || finished <= listShown.longValue()) {
                    continue; // finished before the page showed its steps: a page load, not a live update
                }
                if (seen == null) {
                    missed.add(run + "/" + step);
                } else {
                    delays.add((double) (((Number) seen).longValue() - finished));
                }
            }
        }
        out("  step finished to run page showing it COMPLETED (%d steps): median %.0f ms, max %.0f ms"
                + " (target <= 1000 ms, %.0f%% of it)%s", delays.size(), median(delays), max(delays),
                100 * max(delays) / 1000, missed.isEmpty() ? "" : "; never shown: " + missed);
    }

    private static String next(BlockingQueue<String> started) {
        try {
            String run = started.poll(2, TimeUnit.MINUTES);
            if (run == null) {
                throw new IllegalStateException("no run started within 2 minutes of the upload");
            }
            return run;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Double> values) {
        return values.isEmpty() ? Double.NaN : values.stream().sorted().toList().get((values.size() - 1) / 2);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
