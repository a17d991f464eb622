package dev.caravan.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.util.FileSystemUtils;

import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;

/** Invalid settings stop start-up, naming the key and the reason. */
class InvalidConfigurationTest {

    @Test
    void aGateAboveOneStopsStartUpNamingTheKey() {
        assertThat(startFailure("--caravan.gate.min-accuracy=1.5"))
                .contains("caravan.gate.min-accuracy").contains("must be less than or equal to 1");
    }

    @Test
    void aModelNameThatIsNotDns1123StopsStartUp() {
        assertThat(startFailure("--caravan.model-name=My_Model"))
                .contains("caravan.model-name").contains("DNS-1123");
    }

    private static String startFailure(String property) {
        Path home = CaravanTestProperties.newHome();
        try {
            Throwable failure = catchThrowable(() -> CaravanInstance.start(home, property).close());
            assertThat(failure).isNotNull();
            StringBuilder messages = new StringBuilder();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            return messages + String.valueOf(NestedExceptionUtils.getMostSpecificCause(failure));
        } finally {
            FileSystemUtils.deleteRecursively(home.toFile());
        }
    }
}
