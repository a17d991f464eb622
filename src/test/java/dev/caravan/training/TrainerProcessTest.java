package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which process a run's pid file names: only the trainer it recorded, never another that has its pid now. */
class TrainerProcessTest {

    @TempDir
    Path runsDir;

    private final ProcessHandle self = ProcessHandle.current();
    private final Instant selfStarted = self.info().startInstant().orElseThrow();

    @Test
    void aLiveProcessWithTheRecordedPidAndStartTimeIsAdopted() throws Exception {
        RunFolder run = pidFile("run-1", "pid=" + self.pid() + "\nlogOffset=42\nstarted=" + selfStarted.toEpochMilli());

        TrainerProcess adopted = TrainerProcess.adopt(run, "run-1").orElseThrow();

        assertThat(adopted.pid()).isEqualTo(self.pid());
        assertThat(adopted.logOffset()).isEqualTo(42);
        assertThat(adopted.isAdopted()).isTrue();
    }

    @Test
    void aProcessThatGotTheRecordedPidLaterIsNotAdopted() throws Exception {
        Instant before = selfStarted.minus(Duration.ofMinutes(5));
        RunFolder run = pidFile("run-2", "pid=" + self.pid() + "\nlogOffset=0\nstarted=" + before.toEpochMilli());

        assertThat(TrainerProcess.adopt(run, "run-2")).isEmpty();
    }

    @Test
    void aPidFileWithoutAStartTimeNamesOnlyABuiltinTrainerOfTheRun() throws Exception {
        RunFolder run = pidFile("run-3", "pid=" + self.pid() + "\nlogOffset=0");

        assertThat(TrainerProcess.adopt(run, "run-3")).as("this JVM is no trainer").isEmpty();
    }

    private RunFolder pidFile(String runName, String content) throws Exception {
        RunFolder run = RunFolder.create(runsDir, runName);
        Files.writeString(run.pidFile(), content);
        return run;
    }
}
