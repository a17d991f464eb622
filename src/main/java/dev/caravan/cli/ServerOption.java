package dev.caravan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Option;

/** The {@code --server} option of the commands that talk to a running Caravan. */
class ServerOption {

    @Option(names = "--server", description = "Caravan's HTTP API (default: $CARAVAN_URL or ${DEFAULT-VALUE}).",
            defaultValue = "${env:CARAVAN_URL:-http://127.0.0.1:8080}")
    String url;

    @Option(names = "--token", description = "API token for changes (default: $CARAVAN_API_TOKEN, else "
            + "$CARAVAN_HOME/api-token, else the api-token in the home of the Caravan at --server when it runs on "
            + "this machine, such as ./caravan demo --serve's, else .caravan/api-token).",
            defaultValue = "${env:CARAVAN_API_TOKEN}")
    String token;

    ApiClient client() {
        return new ApiClient(url, token != null && !token.isBlank() ? client -> token : ServerOption::storedToken);
    }

    /**
     * The token Caravan generated at its first start, where a local Caravan keeps it: in $CARAVAN_HOME, else in the
     * home the server names in GET /api/info when that folder is on this machine, else in .caravan.
     */
    private static String storedToken(ApiClient client) {
        String home = System.getenv("CARAVAN_HOME");
        if (home == null) {
            home = serversHome(client).orElse(".caravan");
        }
        Path file = Path.of(home, "api-token");
        try {
            return Files.isReadable(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Optional<String> serversHome(ApiClient client) {
        try {
            JsonNode home = client.get("api/info").path("home");
            return home.isTextual() && Files.isReadable(Path.of(home.asText(), "api-token"))
                    ? Optional.of(home.asText()) : Optional.empty();
        } catch (ApiClient.CliException e) {
            return Optional.empty();
        }
    }
}
