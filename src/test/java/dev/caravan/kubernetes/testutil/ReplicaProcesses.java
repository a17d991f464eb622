package dev.caravan.kubernetes.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.caravan.training.LocalTrainingBackend;

/**
 * The pods of a TFJob of several replicas, as local processes: every replica (Chief, Workers, PS) runs the built-in
 * trainer JVM ({@code dev.caravan.training.MnistTrainer}) with its container's environment and the {@code TF_CONFIG}
 * the training operator injects, the cluster's {@code <job>-<type>-<i>.<namespace>.svc:2222} addresses replaced by
 * free ports on 127.0.0.1. The job ends
 * as the operator (v1.9, default success policy, restart policy Never) ends it: succeeded when the Chief (without
 * one, worker 0) exits 0, failed as soon as any replica exits otherwise; then the processes still running are
 * killed, as {@code cleanPodPolicy: Running} deletes their pods. Each replica's output is in
 * {@code <logDir>/<replica>.log}.
 */
final class ReplicaProcesses {

    private static final int LOG_TAIL_LINES = 15;

    private final String mainClass;
    private final Map<String, Integer> counts;
    private final Function<String, Map<String, String>> environment;
    private final Path logDir;
    private final List<Replica> started = new CopyOnWriteArrayList<>();
    private final CompletableFuture<ReplicaFailure> outcome = new CompletableFuture<>();

    /** One running replica: its type as the operator names it, its index, its process and its log. */
    private record Replica(String type, int index, Process process, Path log) {

        String name() {
            return ReplicaProcesses.name(type, index);
        }
    }

    /** The contract's name of a replica: {@code chief}, {@code worker-<i>}, {@code ps-<i>}. */
    static String name(String type, int index) {
        return "Chief".equals(type) ? "chief" : type.toLowerCase(Locale.ROOT) + "-" + index;
    }

    /**
     * @param mainClass   what every replica's JVM runs: the built-in trainer, as the image's command does
     * @param counts      replicas by type, in the order the job lists them (Chief, Worker, PS)
     * @param environment the container environment of a replica type, secrets resolved
     */
    ReplicaProcesses(String mainClass, Map<String, Integer> counts, Function<String, Map<String, String>> environment,
                     Path logDir) {
        this.mainClass = mainClass;
        this.counts = counts;
        this.environment = environment;
        this.logDir = logDir;
    }

    /**
     * Starts every replica and waits for the job's end, at most {@code deadline}.
     *
     * @throws ReplicaFailure naming the replica that failed, with the last lines of its log
     */
    void run(Duration deadline) {
        try {
            Map<String, List<String>> cluster = cluster();
            Files.createDirectories(logDir);
            counts.forEach((type, count) -> {
                for (int i = 0; i < count; i++) {
                    start(type, i, cluster);
                }
            });
            ReplicaFailure failure = outcome.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (failure != null) {
                throw failure;
            }
        } catch (TimeoutException e) {
            throw new ReplicaFailure("Chief", "the job ran past its activeDeadlineSeconds (" + deadline + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicaFailure("Chief", "interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            stop();
        }
    }

    /** Kills every replica still running, as deleting the job deletes its pods. */
    void stop() {
        outcome.complete(new ReplicaFailure("Chief", "the job was deleted"));
        started.forEach(r -> {
            r.process().descendants().forEach(ProcessHandle::destroyForcibly);
            r.process().destroyForcibly();
        });
        started.forEach(r -> r.process().onExit().join());
    }

    /** The cluster part of TF_CONFIG: per type in lower case, one 127.0.0.1 address per replica. */
    private Map<String, List<String>> cluster() throws IOException {
        int replicas = counts.values().stream().mapToInt(Integer::intValue).sum();
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            // Held open together, so no two replicas are given the same port.
            for (int i = 0; i < replicas; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        Map<String, List<String>> cluster = new LinkedHashMap<>();
        int next = 0;
        for (Map.Entry<String, Integer> type : counts.entrySet()) {
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < type.getValue(); i++) {
                addresses.add("127.0.0.1:" + sockets.get(next++).getLocalPort());
            }
            cluster.put(type.getKey().toLowerCase(Locale.ROOT), addresses);
        }
        return cluster;
    }

    private void start(String type, int index, Map<String, List<String>> cluster) {
        Map<String, Object> tfConfig = new LinkedHashMap<>();
        tfConfig.put("cluster", cluster);
        tfConfig.put("task", Map.of("type", type.toLowerCase(Locale.ROOT), "index", index));
        tfConfig.put("environment", "cloud");
        Path log = logDir.resolve(name(type, index) + ".log");
        ProcessBuilder builder = new ProcessBuilder(LocalTrainingBackend.currentJava(), "-Xmx512m",
                "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", mainClass)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.putAll(environment.apply(type));
        // The pod's HOME is its /tmp volume; here it would move TensorFlow's unpacked native library out of its cache.
        env.put("HOME", System.getProperty("user.home"));
        env.put("CLASSPATH", System.getProperty("java.class.path"));
        env.put("TF_CPP_MIN_LOG_LEVEL", "2");
        env.put("TF_CONFIG", json(tfConfig));
        try {
            Replica running = new Replica(type, index, builder.start(), log);
            started.add(running);
            running.process().onExit().thenAccept(p -> exited(running, p.exitValue()));
        } catch (IOException e) {
            outcome.complete(new ReplicaFailure(type, name(type, index) + " did not start: " + e.getMessage()));
        }
    }

    private void exited(Replica replica, int exitCode) {
        if (exitCode != 0) {
            outcome.complete(new ReplicaFailure(replica.type(), replica.name() + " exited with " + exitCode + ": "
                    + tail(replica.log())));
        } else if (endsTheJob(replica)) {
            outcome.complete(null);
        }
    }

    /** The operator's default success policy: the Chief succeeding, or worker 0 in a job without a Chief. */
    private boolean endsTheJob(Replica replica) {
        return "Chief".equals(replica.type())
                || !counts.containsKey("Chief") && "Worker".equals(replica.type()) && replica.index() == 0;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String json(Object value) {
        try {
            return new ObjectMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
