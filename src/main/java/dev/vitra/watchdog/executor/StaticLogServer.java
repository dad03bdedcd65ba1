package dev.vitra.watchdog.executor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * Serves a directory of tlog-tiles logs over HTTP, the way a static file server or object store would:
 * {@code GET /<path>} returns {@code <root>/<path>}. Checkpoints are marked uncacheable, tiles and bundles
 * immutable; bundles are gzipped when the client accepts it. Built on the JDK's HTTP server.
 */
public final class StaticLogServer implements AutoCloseable {
    static {
        // Without TCP_NODELAY the JDK server's header and body writes meet the client's delayed ACK and
        // every response stalls about 40 ms. Read once when the server classes initialise.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final Path root;
    private final HttpServer server;
    private final ExecutorService pool;
    private volatile ServeFilter filter = (path, served, client) -> served;

    /** What a GET is answered with: status, body and extra headers. */
    public record Served(int status, byte[] body, java.util.Map<String, String> headers) {
        public Served {
            headers = java.util.Map.copyOf(headers);
        }

        public static Served status(int status, String text) {
            return new Served(status, text.getBytes(StandardCharsets.UTF_8), java.util.Map.of());
        }
    }

    /** Rewrites answers before they are sent: how the reference executor misbehaves on the wire. */
    @FunctionalInterface
    public interface ServeFilter {
        Served apply(String urlPath, Served served, InetSocketAddress client) throws InterruptedException, IOException;
    }

    private StaticLogServer(Path root, HttpServer server, ExecutorService pool) {
        this.root = root;
        this.server = server;
        this.pool = pool;
    }

    /** Starts serving {@code root} on {@code address} (port 0 picks a free port). */
    public static StaticLogServer start(Path root, InetSocketAddress address) throws IOException {
        dev.vitra.watchdog.util.HttpServerLimits.apply();
        HttpServer server = HttpServer.create(address, 64);
        ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "log-server");
            t.setDaemon(true);
            return t;
        });
        StaticLogServer s = new StaticLogServer(root.toAbsolutePath().normalize(), server, pool);
        server.createContext("/", s::handle);
        server.setExecutor(pool);
        server.start();
        return s;
    }

    public void setFilter(ServeFilter filter) {
        this.filter = filter;
    }

    /** Serves {@code handler} for every path under {@code prefix} (longest prefix wins over the static files). */
    public void addHandler(String prefix, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(prefix, handler);
    }

    /** Base URL, e.g. {@code http://127.0.0.1:41234}, without a trailing slash. */
    public String baseUrl() {
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8), false);
                return;
            }
            String rawPath = exchange.getRequestURI().getPath();
            Path file = resolve(rawPath);
            Served served = file == null || !Files.isRegularFile(file) ? Served.status(404, "not found\n")
                    : new Served(200, Files.readAllBytes(file), java.util.Map.of());
            try {
                served = filter.apply(rawPath, served, exchange.getRemoteAddress());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            served.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            if (served.status() != 200) {
                send(exchange, served.status(), "text/plain; charset=utf-8", served.body(), false);
                return;
            }
            byte[] body = served.body();
            boolean checkpoint = rawPath.endsWith("/checkpoint") || rawPath.equals("/checkpoint");
            exchange.getResponseHeaders().set("Cache-Control",
                    checkpoint ? "no-cache, max-age=0" : "public, max-age=31536000, immutable");
            String accept = exchange.getRequestHeaders().getFirst("Accept-Encoding");
            boolean gzip = !checkpoint && rawPath.contains("/tile/entries/") && accept != null && accept.contains("gzip");
            send(exchange, 200, checkpoint ? "text/plain; charset=utf-8" : "application/octet-stream", body, gzip);
        }
    }

    /** Maps a URL path to a file under the root, or null if it would escape the root. */
    private Path resolve(String urlPath) {
        if (urlPath.contains("\\") || urlPath.contains("\0")) {
            return null;
        }
        Path p = root.resolve(urlPath.replaceFirst("^/+", "")).normalize();
        return p.startsWith(root) ? p : null;
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body, boolean gzip) throws IOException {
        byte[] out = body;
        if (gzip) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(body.length / 2 + 64);
            try (GZIPOutputStream z = new GZIPOutputStream(buf)) {
                z.write(body);
            }
            out = buf.toByteArray();
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : out.length);
        if (!head) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
