package dev.vitra.watchdog.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on loopback whose answers a test scripts per path: slow, failing, throttling, endless.
 * Records when each request arrived so tests can check retry behaviour from the server's side.
 */
public final class ScriptedHttpServer implements AutoCloseable {
    @FunctionalInterface
    public interface Handler {
        void handle(HttpExchange exchange, int requestNumber) throws IOException, InterruptedException;
    }

    public record Hit(String path, long nanos) {
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-http");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final List<Hit> hits = new CopyOnWriteArrayList<>();

    public ScriptedHttpServer() throws IOException {
        this(InetAddress.getLoopbackAddress());
    }

    public ScriptedHttpServer(InetAddress address) throws IOException {
        dev.vitra.watchdog.util.HttpServerLimits.apply(); // as the service's servers do: the JDK reads them once
        server = HttpServer.create(new InetSocketAddress(address, 0), 64);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            hits.add(new Hit(path, System.nanoTime()));
            int n = counts.merge(path, 1, Integer::sum);
            Handler h = handlers.get(path);
            try (exchange) {
                if (h == null) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    h.handle(exchange, n);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // The client hung up (timeouts, size caps): expected in these tests.
            }
        });
        server.setExecutor(pool);
        server.start();
    }

    public String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    public void on(String path, Handler handler) {
        handlers.put(path, handler);
    }

    public int count(String path) {
        return counts.getOrDefault(path, 0);
    }

    public List<Hit> hits(String path) {
        return hits.stream().filter(h -> h.path().equals(path)).toList();
    }

    public static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
