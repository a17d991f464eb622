package dev.caravan.bench;

/**
 * One point of the serving curve: a path (in-process, gRPC, REST) at a number of concurrent clients, each sending
 * {@code batch} images per call, measured over all its rounds.
 */
record CurvePoint(String path, int concurrency, int batch, LoadRun.Result result) {

    /** Images answered per second. */
    double imagesPerSecond() {
        return result.perSecond() * batch;
    }

    double p50Millis() {
        return result.percentile(0.50);
    }

    double p99Millis() {
        return result.percentile(0.99);
    }

    /** The client's CPU per call (its threads: the REST client's, or gRPC's client transport), microseconds. */
    double clientMicrosPerCall() {
        return clientNanos() / 1e3 / Math.max(1, result.calls());
    }

    /**
     * The process's CPU per call less the client's: the server's threads, the collector, the compiler and
     * TensorFlow's own threads; microseconds.
     */
    double serverMicrosPerCall() {
        long process = result.cpu() == null ? 0 : result.cpu().processNanos();
        return (process - clientNanos()) / 1e3 / Math.max(1, result.calls());
    }

    /** The share of the machine's cores the client used while it was measured. */
    double clientShare(int cores) {
        return clientNanos() / (result.seconds() * 1e9 * cores);
    }

    /**
     * Images per second with the client's CPU taken out: the server had the cores less the client's share, so with
     * them all it would answer {@code images/s / (1 - client share)} at the same CPU per call.
     */
    double imagesPerSecondWithoutClient(int cores) {
        return imagesPerSecond() / (1 - Math.min(0.95, clientShare(cores)));
    }

    private long clientNanos() {
        return result.cpu() == null ? 0 : result.cpu().nanos("client");
    }
}
