package dev.caravan.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.caravan.storage.EmbeddedS3;

/**
 * Caravan's embedded S3 server in a process of its own, so that a benchmark's heap figures are Caravan's alone.
 * As a program: {@code S3Server DIR PORT ACCESS_KEY SECRET_KEY}; it serves until its standard input closes.
 */
public final class S3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "AKIDBENCH";
    public static final String SECRET_KEY = "benchmark-secret-key";

    private final Process process;
    private final int port;

    private S3Server(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static void main(String[] args) throws IOException {
        try (EmbeddedS3 s3 = EmbeddedS3.start(Path.of(args[0]), "127.0.0.1", Integer.parseInt(args[1]), args[2], args[3])) {
            while (System.in.read() >= 0) {
                // serve until the parent closes our input or dies
            }
        }
    }

    /** Starts the server in a child JVM on a free port, storing under {@code dir}, and waits until it listens. */
    public static S3Server start(Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), S3Server.class.getName(), dir.toString(),
                Integer.toString(port), ACCESS_KEY, SECRET_KEY)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return new S3Server(process, port);
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the S3 server process did not listen on port " + port + " within 60 s");
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
