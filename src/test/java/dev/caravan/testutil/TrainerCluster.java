package dev.caravan.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.training.LocalTrainingBackend;
import dev.caravan.training.MnistTrainer;

/**
 * Runs the built-in trainer as a parameter-server cluster on this machine, each replica in its own JVM with the
 * {@code TF_CONFIG} the training operator would inject (training-operator v1), on free loopback ports; or, with no
 * workers and no ps, as one process without {@code TF_CONFIG}.
 */
public final class TrainerCluster {

    private TrainerCluster() {
    }

    /** What each replica printed, by replica name ({@code chief}, {@code worker-0}, {@code ps-0}). */
    public record Logs(Map<String, String> byReplica) {

        public String of(String replica) {
            return byReplica.get(replica);
        }

        /** Group 1 of {@code regex}'s first match in {@code replica}'s log, or an error showing the log. */
        public String find(String replica, String regex) {
            Matcher matcher = Pattern.compile(regex).matcher(of(replica));
            if (!matcher.find()) {
                throw new AssertionError("no '" + regex + "' in the log of " + replica + ":\n" + of(replica));
            }
            return matcher.group(1);
        }
    }

    /**
     * Trains with chief + {@code workers} + {@code ps} (or one process when both are 0) and waits up to
     * {@code minutes} for every replica to exit.
     *
     * @param environment the trainer's environment without {@code TF_CONFIG}
     * @throws AssertionError naming the replica that did not exit 0, with its log
     */
    public static Logs train(Map<String, String> environment, int workers, int ps, Path logDir, int minutes)
            throws InterruptedException {
        Map<String, List<String>> cluster = new LinkedHashMap<>();
        cluster.put("chief", List.of(address()));
        if (workers > 0) {
            cluster.put("worker", Stream.generate(TrainerCluster::address).limit(workers).toList());
        }
        if (ps > 0) {
            cluster.put("ps", Stream.generate(TrainerCluster::address).limit(ps).toList());
        }
        boolean single = workers == 0 && ps == 0;
        Map<String, Process> processes = new LinkedHashMap<>();
        Map<String, Path> logs = new LinkedHashMap<>();
        try {
            cluster.forEach((type, addresses) -> {
                for (int i = 0; i < addresses.size(); i++) {
                    String replica = type.equals("chief") ? "chief" : type + "-" + i;
                    Map<String, String> env = new HashMap<>(environment);
                    if (!single) {
                        env.put("TF_CONFIG", tfConfig(cluster, type, i));
                    }
                    logs.put(replica, logDir.resolve(replica + ".log"));
                    processes.put(replica, start(env, logs.get(replica)));
                }
            });
            Map<String, String> output = new LinkedHashMap<>();
            for (Map.Entry<String, Process> replica : processes.entrySet()) {
                boolean exited = replica.getValue().waitFor(minutes, TimeUnit.MINUTES);
                output.put(replica.getKey(), read(logs.get(replica.getKey())));
                if (!exited || replica.getValue().exitValue() != 0) {
                    throw new AssertionError(replica.getKey() + (exited ? " exited with "
                            + replica.getValue().exitValue() : " did not exit") + ":\n" + output.get(replica.getKey()));
                }
            }
            return new Logs(output);
        } finally {
            processes.values().forEach(Process::destroyForcibly);
        }
    }

    /** {@code TF_CONFIG} of task {@code type}/{@code index} in {@code cluster}, as the training operator writes it. */
    public static String tfConfig(Map<String, List<String>> cluster, String type, int index) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("cluster", cluster);
        config.put("task", Map.of("type", type, "index", index));
        config.put("environment", "cloud");
        try {
            return new ObjectMapper().writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Process start(Map<String, String> env, Path log) {
        ProcessBuilder builder = new ProcessBuilder(LocalTrainingBackend.currentJava(), MnistTrainer.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String address() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
