package dev.caravan.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Every process of one trainer: the trainer itself, what it started, and what those started in turn, found both as
 * the trainer's descendants and, on Linux, by the run marker each of them inherits in its environment. The marker is
 * what finds a child whose parent died first (a script killed by the OOM killer, say): the kernel hands such an
 * orphan to init, where it is nobody's descendant any more.
 */
final class ProcessTree {

    /** Set in a trainer's environment to its run folder; every process it starts inherits it. */
    static final String MARKER_VARIABLE = "CARAVAN_RUN_DIR";

    private static final Path PROC = Path.of("/proc");
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 20;

    private final Optional<ProcessHandle> root;
    private final Path runDir;
    private final byte[] marker;

    /** @param runDir the run folder whose path marks the trainer's processes ({@value #MARKER_VARIABLE}) */
    ProcessTree(ProcessHandle root, Path runDir) {
        this(Optional.of(root), runDir);
    }

    private ProcessTree(Optional<ProcessHandle> root, Path runDir) {
        this.root = root;
        this.runDir = runDir;
        this.marker = (MARKER_VARIABLE + "=" + markerValue(runDir)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The processes of a run found by its marker alone: what is left of a cluster whose chief is gone. Where the system
     * has no {@code /proc} it finds nothing.
     */
    static ProcessTree ofRun(Path runDir) {
        return new ProcessTree(Optional.empty(), runDir);
    }

    static String markerValue(Path runDir) {
        return runDir.toAbsolutePath().normalize().toString();
    }

    /** The processes alive now: the root (if alive), its descendants, and every process carrying the marker. */
    List<ProcessHandle> alive() {
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        root.filter(ProcessHandle::isAlive).ifPresent(tree::add);
        root.ifPresent(handle -> handle.descendants().forEach(tree::add));
        marked().forEach(tree::add);
        tree.remove(ProcessHandle.current());
        return List.copyOf(tree);
    }

    /**
     * Kills (SIGKILL) every process of the tree and waits until they are all gone.
     *
     * @return the pids killed, empty when none was alive
     * @throws TrainingException naming the pids still alive after {@link #KILL_GRACE}
     */
    List<Long> kill() throws InterruptedException {
        // Listed before the kill: once the root is dead, its children belong to init and are no longer descendants.
        List<ProcessHandle> tree = alive();
        tree.forEach(ProcessHandle::destroyForcibly);
        // Polled, not onExit(): for a process that is not our child (an orphan, a grandchild) the JDK looks only every
        // 300 ms and more, which would add seconds between the fault and the run's FAILED.
        long deadline = System.nanoTime() + KILL_GRACE.toNanos();
        List<ProcessHandle> left = tree;
        while (!(left = left.stream().filter(ProcessTree::running).toList()).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new TrainingException(root.map(handle -> "trainer pid " + handle.pid()).orElse("a process")
                        + " of run folder " + runDir + " or what it started (pids "
                        + left.stream().map(ProcessHandle::pid).toList() + ") did not die within "
                        + KILL_GRACE.toSeconds() + " s of being killed; stop them by hand");
            }
            Thread.sleep(POLL_MILLIS);
        }
        return tree.stream().map(ProcessHandle::pid).toList();
    }

    /**
     * Whether {@code process} still runs. A killed orphan stays a zombie until init reaps it, which some inits do
     * only every second or so; a zombie runs no code and holds no memory, so it counts as gone.
     */
    private static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(process.pid())).resolve("stat"));
            int afterName = stat.lastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException e) {
            // No /proc here (the handle's word stands), or the process is gone meanwhile.
            return process.isAlive();
        }
    }

    /** Processes whose environment holds the marker; none where the system has no {@code /proc}. */
    private List<ProcessHandle> marked() {
        if (!Files.isDirectory(PROC)) {
            return List.of();
        }
        List<ProcessHandle> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            entries.map(p -> p.getFileName().toString()).filter(name -> name.chars().allMatch(Character::isDigit))
                    .forEach(pid -> carrying(pid).ifPresent(found::add));
        } catch (IOException e) {
            // Without the list, the descendants alone are killed: what a system without /proc gets too.
            return List.of();
        }
        return found;
    }

    private Optional<ProcessHandle> carrying(String pid) {
        try {
            // The handle first: its start time tells a process that got the pid after this read from the one read.
            Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(pid));
            byte[] environment = Files.readAllBytes(PROC.resolve(pid).resolve("environ"));
            return hasEntry(environment) ? handle : Optional.empty();
        } catch (IOException | SecurityException e) {
            // Gone meanwhile, or another user's: not a process this Caravan started.
            return Optional.empty();
        }
    }

    /** Whether the NUL-separated {@code environment} holds the marker as one whole entry. */
    private boolean hasEntry(byte[] environment) {
        int start = 0;
        for (int i = 0; i <= environment.length; i++) {
            if (i == environment.length || environment[i] == 0) {
                if (i - start == marker.length && Arrays.equals(environment, start, i, marker, 0, marker.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }
}
