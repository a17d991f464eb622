package dev.caravan.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A loopback proxy in front of an S3 endpoint that a test switches, at run time, to fail the requests a {@link Match}
 * selects: close the connection unanswered (S3 unreachable), answer late, or answer 500 InternalError or 503
 * SlowDown with S3's XML error body. Each connection carries one request ({@code Connection: close} both ways), so a
 * request's bytes are forwarded untouched, its signed {@code Host} header included. It counts the requests it saw.
 */
public final class FaultyS3Proxy implements AutoCloseable {

    /** What happens to a selected request. */
    public enum Fault { NONE, UNREACHABLE, SLOW, ERROR_500, ERROR_503 }

    /** Which requests a fault hits, judged on the request line. */
    public record Request(String method, String target) {

        /** The path without its query, e.g. {@code /tfmnist/data/mnist/t10k-images-idx3-ubyte.gz}. */
        public String path() {
            int query = target.indexOf('?');
            return query < 0 ? target : target.substring(0, query);
        }
    }

    /** Selectors of requests. */
    public static final class Match {

        private Match() {
        }

        public static Predicate<Request> all() {
            return r -> true;
        }

        /** Requests of this method whose target (path and query) contains {@code text}, e.g. GET and {@code /data/}. */
        public static Predicate<Request> of(String method, String text) {
            return r -> r.method().equals(method) && r.target().contains(text);
        }
    }

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "faulty-s3-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger faulted = new AtomicInteger();
    private volatile Fault fault = Fault.NONE;
    private volatile Predicate<Request> match = Match.all();
    private volatile Duration delay = Duration.ZERO;
    private volatile int limit = Integer.MAX_VALUE;

    private FaultyS3Proxy(ServerSocket server, InetSocketAddress upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    /** Starts a proxy on a free loopback port in front of {@code upstream}, e.g. {@code http://127.0.0.1:9000}. */
    public static FaultyS3Proxy start(URI upstream) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FaultyS3Proxy proxy = new FaultyS3Proxy(server, new InetSocketAddress(upstream.getHost(), upstream.getPort()));
        proxy.threads.execute(proxy::acceptLoop);
        return proxy;
    }

    /** The address clients use: {@code http://127.0.0.1:<port>}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** From now on, {@code fault} hits every request {@code match} selects; the counts start again at 0. */
    public void inject(Fault fault, Predicate<Request> match) {
        inject(fault, match, Integer.MAX_VALUE);
    }

    /** As {@link #inject(Fault, Predicate)}, but only the first {@code times} selected requests: a passing fault. */
    public void inject(Fault fault, Predicate<Request> match, int times) {
        this.fault = Fault.NONE;
        this.match = match;
        this.limit = times;
        requests.set(0);
        faulted.set(0);
        this.fault = fault;
    }

    /** A {@link Fault#SLOW} answer waits this long before it is forwarded. */
    public void delay(Duration delay) {
        this.delay = delay;
    }

    /** Forwards every request untouched again. */
    public void heal() {
        fault = Fault.NONE;
    }

    /** Requests seen since the last {@link #inject}. */
    public int requests() {
        return requests.get();
    }

    /** Requests the fault hit since the last {@link #inject}: the client's attempts at what failed. */
    public int faulted() {
        return faulted.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            if (head.length == 0) {
                return;
            }
            String text = new String(head, StandardCharsets.ISO_8859_1);
            String[] requestLine = text.substring(0, text.indexOf("\r\n")).split(" ");
            Request request = new Request(requestLine[0], requestLine.length > 1 ? requestLine[1] : "/");
            requests.incrementAndGet();
            Fault now = fault;
            boolean hit = now != Fault.NONE && match.test(request)
                    && faulted.getAndUpdate(n -> n < limit ? n + 1 : n) < limit;
            now = hit ? now : Fault.NONE;
            switch (now) {
                case UNREACHABLE -> client.setSoLinger(true, 0); // closing resets: no answer at all
                case ERROR_500 -> answer(client, text, 500, "Internal Server Error", "InternalError",
                        "We encountered an internal error. Please try again.");
                case ERROR_503 -> answer(client, text, 503, "Slow Down", "SlowDown", "Please reduce your request rate.");
                case SLOW -> {
                    Thread.sleep(delay.toMillis());
                    forward(client, head);
                }
                case NONE -> forward(client, head);
            }
        } catch (IOException | InterruptedException e) {
            // the client or upstream went away: nothing to answer
        }
    }

    private void forward(Socket client, byte[] head) throws IOException {
        try (Socket target = new Socket(upstream.getAddress(), upstream.getPort())) {
            OutputStream toTarget = target.getOutputStream();
            toTarget.write(withConnectionClose(new String(head, StandardCharsets.ISO_8859_1)));
            toTarget.flush();
            threads.execute(() -> pump(client, target));
            client.getInputStream().transferTo(toTarget); // the body, if any, until the client is done
        } catch (SocketException e) {
            // one side closed: the request is over
        }
    }

    private static void pump(Socket client, Socket target) {
        try {
            target.getInputStream().transferTo(client.getOutputStream());
        } catch (IOException e) {
            // one side closed
        } finally {
            try {
                client.close();
                target.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static void answer(Socket client, String head, int status, String reason, String code, String message)
            throws IOException {
        drainBody(client.getInputStream(), head);
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>faulty-s3-proxy</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** Reads a body the client sends without waiting for 100-continue, so that it reads our answer, not a reset. */
    private static void drainBody(InputStream in, String head) throws IOException {
        String lower = head.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("\r\ncontent-length:");
        if (at < 0 || lower.contains("\r\nexpect: 100-continue")) {
            return;
        }
        long length = Long.parseLong(lower.substring(at + 17, lower.indexOf("\r\n", at + 2)).trim());
        in.skipNBytes(length);
    }

    private static byte[] withConnectionClose(String head) {
        StringBuilder out = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (!line.isEmpty() && !line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                out.append(line).append("\r\n");
            }
        }
        return out.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The request line and headers, up to and including the blank line; empty when the client sent nothing. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return matched == 4 ? head.toByteArray() : new byte[0];
    }
}
