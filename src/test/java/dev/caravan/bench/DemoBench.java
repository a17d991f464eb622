package dev.caravan.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./caravan demo} from its start to the new version promoted, as the demo prints it, with where the time went:
 * Caravan up, the {@code train} step (the trainer's JVM, its data, the training loop, its export) and the training
 * loop alone (from the trainer's log). Two ways of starting the built-in trainer run in interleaved rounds: sharing
 * the launcher's class archive (the default) and without it ({@code -Xshare:off} in
 * {@code CARAVAN_TRAINER_JVM_OPTIONS}). A first, unmeasured demo builds Caravan and its class archive when they are
 * not there yet. Uses the demo's default ports and home. Prints figures; asserts nothing.
 */
public final class DemoBench {

    private static final double TARGET_SECONDS = 20.0;
    private static final String TRAINER_OPTIONS = "-Xmx1g -XX:+UseSerialGC";
    private static final Map<String, Pattern> FIGURES = figures();

    private DemoBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length == 2 && args[0].equals("--rounds") ? Integer.parseInt(args[1]) : 3;
        Map<String, String> sides = new LinkedHashMap<>();
        sides.put("trainer shares the class archive", null);
        sides.put("trainer without it (-Xshare:off)", TRAINER_OPTIONS + " -Xshare:off");
        System.out.println("Preparing: one unmeasured ./caravan demo (builds Caravan and its class archive if needed)");
        demo(null);
        System.out.printf(Locale.ROOT, "%n./caravan demo, %d interleaved rounds, %d cores%n", rounds,
                Runtime.getRuntime().availableProcessors());
        Map<String, List<Map<String, Double>>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, String> side : sides.entrySet()) {
                double load = loadAverage();
                Map<String, Double> figures = demo(side.getValue());
                results.computeIfAbsent(side.getKey(), k -> new ArrayList<>()).add(figures);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  round %d %-34s", round,
                        side.getKey()));
                figures.forEach((name, seconds) -> line.append(String.format(Locale.ROOT, "  %s %5.1f s", name, seconds)));
                System.out.println(line.append(String.format(Locale.ROOT, "  (load %.2f)", load)));
            }
        }
        System.out.printf(Locale.ROOT, "%n%-34s %-22s %8s %8s %8s%n", "trainer start", "figure", "median", "min", "max");
        results.forEach((side, runs) -> FIGURES.keySet().forEach(name -> {
            List<Double> values = runs.stream().map(r -> r.get(name)).toList();
            System.out.printf(Locale.ROOT, "%-34s %-22s %7.1fs %7.1fs %7.1fs%n", side, name, Percentiles.of(values, 50),
                    Percentiles.of(values, 0), Percentiles.of(values, 100));
        }));
        List<Double> defaults = results.values().iterator().next().stream().map(r -> r.get("start to promoted")).toList();
        double median = Percentiles.of(defaults, 50);
        System.out.printf(Locale.ROOT, "%ndemo start to promoted (default), median %.1f s, target <= %.0f s, ratio %.2f: %s%n",
                median, TARGET_SECONDS, median / TARGET_SECONDS, median <= TARGET_SECONDS ? "MET" : "NOT MET");
        System.out.printf(Locale.ROOT, "load average at the end %.2f%n", loadAverage());
    }

    /** Runs one demo, its trainer with {@code trainerOptions} (null: Caravan's default), and reads its figures. */
    private static Map<String, Double> demo(String trainerOptions) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("./caravan", "demo").redirectErrorStream(true);
        builder.environment().remove("CARAVAN_TRAINER_JVM_OPTIONS");
        if (trainerOptions != null) {
            builder.environment().put("CARAVAN_TRAINER_JVM_OPTIONS", trainerOptions);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("./caravan demo failed:\n" + output);
        }
        String all = output + trainerLogs();
        Map<String, Double> figures = new LinkedHashMap<>();
        FIGURES.forEach((name, pattern) -> {
            Matcher matcher = pattern.matcher(all);
            if (!matcher.find()) {
                throw new IllegalStateException("no '" + pattern + "' in the demo's output:\n" + all);
            }
            figures.put(name, Double.parseDouble(matcher.group(1)));
        });
        return figures;
    }

    private static String trainerLogs() throws IOException {
        Path runs = Path.of(".caravan/demo/runs");
        StringBuilder logs = new StringBuilder();
        try (Stream<Path> folders = Files.list(runs)) {
            for (Path folder : folders.toList()) {
                logs.append(Files.readString(folder.resolve("trainer.log")));
            }
        }
        return logs.toString();
    }

    private static Map<String, Pattern> figures() {
        Map<String, Pattern> figures = new LinkedHashMap<>();
        figures.put("up", Pattern.compile("Caravan is up in ([0-9.]+) s"));
        figures.put("train step", Pattern.compile("train +COMPLETED +([0-9.]+) s"));
        figures.put("training loop", Pattern.compile("trained \\S+ for \\d+ steps of \\d+ images in ([0-9.]+) s"));
        figures.put("start to promoted", Pattern.compile("\\(PROMOTED\\) in ([0-9.]+) s since start"));
        return figures;
    }

    private static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }
}
