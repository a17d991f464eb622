package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerLogTest {

    @TempDir
    Path dir;

    @Test
    void readsOnlyCompleteLinesOfItsAttempt() throws Exception {
        Path file = dir.resolve("trainer.log");
        Files.writeString(file, "earlier attempt\n");
        TrainerLog log = new TrainerLog(file, Files.size(file));
        List<String> lines = new ArrayList<>();

        append(file, "first\nsecond, still being writ");
        log.readNewLines(lines::add);
        append(file, "ten\r\nthird \u00e9\n");
        log.readNewLines(lines::add);

        assertThat(lines).containsExactly("first", "second, still being written", "third \u00e9");
        assertThat(log.tail()).containsExactly("first", "second, still being written", "third \u00e9");
    }

    @Test
    void keepsAnUnfinishedLastLineInTheTail() throws Exception {
        Path file = dir.resolve("trainer.log");
        Files.writeString(file, "one\nkilled mid-li");
        TrainerLog log = new TrainerLog(file, 0);

        log.readNewLines(line -> { });

        assertThat(log.tail()).containsExactly("one", "killed mid-li");
    }

    private static void append(Path file, String text) throws Exception {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
