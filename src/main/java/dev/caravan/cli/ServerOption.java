package dev.caravan.cli;

import picocli.CommandLine.Option;

/** The {@code --server} option of the commands that talk to a running Caravan. */
class ServerOption {

    @Option(names = "--server", description = "Caravan's HTTP API (default: $CARAVAN_URL or ${DEFAULT-VALUE}).",
            defaultValue = "${env:CARAVAN_URL:-http://127.0.0.1:8080}")
    String url;

    ApiClient client() {
        return new ApiClient(url);
    }
}
