package dev.caravan.testutil;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The processes of one local training still running, found on Linux by the {@code CARAVAN_RUN_DIR} its trainer and
 * everything the trainer started inherit in their environment: also the orphans that are nobody's descendants.
 */
public final class RunProcesses {

    private static final Path PROC = Path.of("/proc");

    private RunProcesses() {
    }

    /** Whether this system lists processes' environments, which {@link #alive} needs. */
    public static boolean canList() {
        return Files.isReadable(PROC.resolve("self").resolve("environ"));
    }

    /** The pids of the live processes marked with {@code runDir} ({@code <caravan.home>/runs/<run>}). */
    public static List<Long> alive(Path runDir) {
        byte[] marker = ("CARAVAN_RUN_DIR=" + runDir.toAbsolutePath().normalize()).getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> entries = Files.list(PROC)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .filter(pid -> carries(pid, marker))
                    .map(Long::parseLong)
                    .filter(pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent())
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + PROC + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether process {@code pid} still runs: alive and no zombie. A killed orphan stays a zombie until init reaps
     * it, on some machines a second or more later; it runs nothing and holds no memory.
     */
    public static boolean running(long pid) {
        if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
            return false;
        }
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent();
        }
    }

    private static boolean carries(String pid, byte[] marker) {
        byte[] environment;
        try {
            environment = Files.readAllBytes(PROC.resolve(pid).resolve("environ"));
        } catch (IOException e) {
            return false;
        }
        int start = 0;
        for (int i = 0; i <= environment.length; i++) {
            if (i == environment.length || environment[i] == 0) {
                if (Arrays.equals(environment, start, i, marker, 0, marker.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** Group 1 of {@code regex} in {@code text} as a pid, e.g. {@code pid=(\\d+)} in a pid file. */
    public static long pid(String text, String regex) {
        Matcher pid = Pattern.compile(regex).matcher(text);
        assertThat(pid.find()).as("%s in: %s", regex, text).isTrue();
        return Long.parseLong(pid.group(1));
    }

    public static void assertGone(long pid) {
        assertThat(running(pid)).as("process %d runs", pid).isFalse();
    }

    /** Whether {@code command} runs here and exits 0: whether a tool a test needs is installed. */
    public static boolean commandRuns(String... command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
