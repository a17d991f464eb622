package dev.caravan.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** TF_CONFIG as the training operator injects it (training-operator v1), read by the built-in trainer. */
class TfConfigTest {

    private static final String CLUSTER = "{\"chief\":[\"a:2222\"],\"worker\":[\"b:2222\",\"c:2222\"],\"ps\":[\"d:2222\"]}";

    @Test
    void readsTheOperatorsClusterAndTask() {
        TfConfig config = TfConfig.parse("{\"cluster\":" + CLUSTER
                + ",\"task\":{\"type\":\"worker\",\"index\":1},\"environment\":\"cloud\"}");

        assertThat(config.replicaName()).isEqualTo("worker-1");
        assertThat(config.isChief()).isFalse();
        assertThat(config.gradientTasks()).isEqualTo(3);
        assertThat(config.gradientTaskOrdinal()).isEqualTo(2);
        assertThat(config.parameterServers()).isEqualTo(1);
        assertThat(TfConfig.parse(config.toJson())).isEqualTo(config);
    }

    @Test
    void withoutAChiefWorkerZeroPlaysItsPart() {
        TfConfig config = new TfConfig(Map.of("worker", List.of("b:1", "c:1"), "ps", List.of("d:1")), "worker", 0);

        assertThat(config.isChief()).isTrue();
        assertThat(config.gradientTaskOrdinal()).isZero();
    }

    @Test
    void noVariableOrAClusterOfOneIsASingleProcess() {
        assertThat(TfConfig.fromEnvironment(Map.of())).isEmpty();
        assertThat(TfConfig.fromEnvironment(Map.of("TF_CONFIG",
                "{\"cluster\":{\"worker\":[\"a:1\"]},\"task\":{\"type\":\"worker\",\"index\":0}}"))).isEmpty();
    }

    @Test
    void aBadValueIsRefusedSayingWhatIsWrong() {
        assertThatThrownBy(() -> TfConfig.parse("{cluster"))
                .hasMessageStartingWith("TF_CONFIG is not JSON").hasMessageContaining("\"task\": {\"type\": \"worker\"");
        assertThatThrownBy(() -> TfConfig.parse("{\"cluster\":{\"chief\":[\"a:1\"],\"worker\":[\"b:1\"]},"
                + "\"task\":{\"type\":\"chief\",\"index\":0}}"))
                .hasMessageStartingWith("TF_CONFIG has no ps task; the built-in trainers do parameter-server training");
        assertThatThrownBy(() -> TfConfig.parse("{\"cluster\":" + CLUSTER + ",\"task\":{\"type\":\"worker\",\"index\":2}}"))
                .hasMessageStartingWith("TF_CONFIG gives task {type: 'worker', index: 2}, which is not in its cluster");
        assertThatThrownBy(() -> TfConfig.parse("{\"cluster\":{\"evaluator\":[\"a:1\"],\"ps\":[\"b:1\"]},"
                + "\"task\":{\"type\":\"ps\",\"index\":0}}"))
                .hasMessageStartingWith("TF_CONFIG names jobs [evaluator, ps]; the built-in trainers know [chief, worker, ps]");
        assertThatThrownBy(() -> TfConfig.parse("{\"cluster\":{\"chief\":[\"a\"],\"ps\":[\"b:1\"]},"
                + "\"task\":{\"type\":\"ps\",\"index\":0}}"))
                .hasMessageStartingWith("TF_CONFIG gives 'a' in job 'chief'; give host:port");
    }

    @Test
    void anInvalidTfConfigExitsTheTrainerWithTwo() {
        Map<String, String> env = TrainerSettingsTest.minimal();
        env.put("TF_CONFIG", "[]");

        assertThatThrownBy(() -> TrainerSettings.fromEnvironment(env)).hasMessageStartingWith("TF_CONFIG ");
        env.remove("TF_CONFIG");
        env.put("TF_SYNC_REPLICAS", "2");
        assertThatThrownBy(() -> TrainerSettings.fromEnvironment(env))
                .hasMessage("TF_SYNC_REPLICAS='2' is not a whole number from 0 to 1; unset it for the default 1");
    }
}
