package dev.caravan.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Where a phase's CPU went, by thread group: the load's client threads, the server's transport and prediction threads,
 * and the rest of the process (garbage collection, the JIT compiler). All of them share the same cores, so a served
 * call's figure is what one call costs the machine end to end.
 */
final class CpuUse {

    private static final Map<String, String> GROUPS = new LinkedHashMap<>();
    // Client threads of a load end with their run, before its CPU is read: they hand in their own time as they end.
    private static final AtomicLong ENDED_CLIENT_THREADS = new AtomicLong();

    static {
        GROUPS.put("grpc-", "client");
        GROUPS.put("caravan-grpc", "transport");
        GROUPS.put("caravan-rest", "transport");
        GROUPS.put("caravan-predict", "predict");
    }

    private final Map<String, Long> nanos;
    private final long process;

    private CpuUse(Map<String, Long> nanos, long process) {
        this.nanos = nanos;
        this.process = process;
    }

    /** Called by a client thread as it ends, so its CPU time is counted after it is gone. */
    static void clientThreadEnded() {
        ENDED_CLIENT_THREADS.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
    }

    /** CPU time used so far, by group. */
    static CpuUse now() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> nanos = new LinkedHashMap<>();
        nanos.put("client", ENDED_CLIENT_THREADS.get());
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    nanos.merge(group(info.getThreadName()), cpu, Long::sum);
                }
            }
        }
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        return new CpuUse(nanos, process);
    }

    /** The CPU used from {@code before} to this reading. */
    CpuUse minus(CpuUse before) {
        Map<String, Long> used = new LinkedHashMap<>();
        nanos.forEach((group, cpu) -> used.put(group, cpu - before.nanos.getOrDefault(group, 0L)));
        return new CpuUse(used, process - before.process);
    }

    /** Both uses together. */
    CpuUse plus(CpuUse other) {
        Map<String, Long> sum = new LinkedHashMap<>(nanos);
        other.nanos.forEach((group, cpu) -> sum.merge(group, cpu, Long::sum));
        return new CpuUse(sum, process + other.process);
    }

    /** CPU time of one thread group (client, transport, predict, other), nanoseconds. */
    long nanos(String group) {
        return nanos.getOrDefault(group, 0L);
    }

    /** CPU time of the whole process, nanoseconds. */
    long processNanos() {
        return process;
    }

    /** This use as microseconds per call: the process's, and by group; "other" is what no group's threads used. */
    String perCall(long calls) {
        Map<String, Long> used = new LinkedHashMap<>();
        for (String group : GROUPS.values()) {
            used.putIfAbsent(group, nanos.getOrDefault(group, 0L));
        }
        long grouped = used.values().stream().mapToLong(Long::longValue).sum();
        used.put("other", Math.max(0, process - grouped));
        return String.format(Locale.ROOT, "CPU per call %4.0f us = ", process / 1e3 / calls)
                + used.entrySet().stream().filter(e -> e.getValue() > 0)
                        .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() / 1e3 / calls))
                        .collect(Collectors.joining(" + "));
    }

    // Server threads live through the benchmark; a client thread that ends reports itself (clientThreadEnded).
    private static String group(String thread) {
        return GROUPS.entrySet().stream().filter(e -> thread.startsWith(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse("other");
    }
}
