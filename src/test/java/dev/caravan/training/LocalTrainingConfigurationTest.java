package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class LocalTrainingConfigurationTest {

    private static final Path HOME = Path.of("/opt/caravan");

    @Test
    void aTrainerMapsTheServersClassArchiveByItsAbsolutePath() {
        List<String> server = List.of("-Xmx2g", "-XX:+UseParallelGC", "-XX:SharedArchiveFile=target/cds/caravan-1.jsa",
                "-Xshare:auto");

        assertThat(LocalTrainingConfiguration.classArchiveOptions(server, List.of("-Xmx1g"), HOME)).containsExactly(
                "-XX:SharedArchiveFile=/opt/caravan/target/cds/caravan-1.jsa", "-Xshare:auto", "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off");
    }

    @Test
    void noArchiveWhenTheServerMapsNone() {
        assertThat(LocalTrainingConfiguration.classArchiveOptions(List.of("-Xmx2g"), List.of(), HOME)).isEmpty();
    }

    @Test
    void theTrainersOwnOptionsWinAndAnAgentStartsWithoutTheArchive() {
        List<String> server = List.of("-XX:SharedArchiveFile=/a/caravan.jsa");

        assertThat(LocalTrainingConfiguration.classArchiveOptions(server, List.of("-Xshare:off"), HOME)).isEmpty();
        assertThat(LocalTrainingConfiguration.classArchiveOptions(server,
                List.of("-XX:SharedArchiveFile=/b/trainer.jsa"), HOME)).isEmpty();
        assertThat(LocalTrainingConfiguration.classArchiveOptions(server, List.of("-javaagent:/x/agent.jar"), HOME))
                .isEmpty();
        assertThat(LocalTrainingConfiguration.classArchiveOptions(server,
                List.of("-XX:StartFlightRecording=duration=30s"), HOME)).isEmpty();
        assertThat(LocalTrainingConfiguration.classArchiveOptions(server, List.of(), HOME))
                .first().isEqualTo("-XX:SharedArchiveFile=/a/caravan.jsa");
    }
}
