package dev.caravan.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the API token comes from, and that a pod's log never shows it. */
class ApiTokenTest {

    @TempDir
    Path home;

    @Test
    void aGivenTokenIsUsedAndNeitherStoredNorShown() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        ApiToken token = new ApiToken("s3cr3t-from-the-secret", home, new PrintStream(console, true, StandardCharsets.UTF_8));

        assertThat(token.matches("s3cr3t-from-the-secret")).isTrue();
        assertThat(home.resolve(ApiToken.FILE)).doesNotExist();
        assertThat(console.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aTokenGeneratedOnThisMachineIsShownOnceOnItsConsole() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        ApiToken token = new ApiToken("", home, new PrintStream(console, true, StandardCharsets.UTF_8));

        String stored = Files.readString(home.resolve(ApiToken.FILE));
        assertThat(token.matches(stored)).isTrue();
        assertThat(console.toString(StandardCharsets.UTF_8)).contains(stored);
    }

    @Test
    void aTokenGeneratedInAPodIsKeptButNeverPrinted() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            new ApiToken("", home, null);
        } finally {
            System.setOut(stdout);
        }

        String stored = Files.readString(home.resolve(ApiToken.FILE));
        assertThat(stored).isNotBlank();
        assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain(stored);
    }
}
