package dev.caravan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The {@code --server} option of the commands that talk to a running Caravan. */
class ServerOption {

    @Option(names = "--server", description = "Caravan's HTTP API (default: $CARAVAN_URL or ${DEFAULT-VALUE}).",
            defaultValue = "${env:CARAVAN_URL:-http://127.0.0.1:8080}")
    String url;

    @Option(names = "--token", description = "API token for changes (default: $CARAVAN_API_TOKEN, else "
            + "$CARAVAN_HOME/api-token or .caravan/api-token).", defaultValue = "${env:CARAVAN_API_TOKEN}")
    String token;

    ApiClient client() {
        return new ApiClient(url, token != null && !token.isBlank() ? token : storedToken());
    }

    /** The token Caravan generated at its first start, where a local Caravan keeps it. */
    private static String storedToken() {
        String home = System.getenv().getOrDefault("CARAVAN_HOME", ".caravan");
        Path file = Path.of(home, "api-token");
        try {
            return Files.exists(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
