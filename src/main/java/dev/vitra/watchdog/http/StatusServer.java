package dev.vitra.watchdog.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.schedule.MonitorScheduler;
import dev.vitra.watchdog.schedule.MonitorState;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.StoreSession;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's one HTTP listener: read-only, nothing on it changes state. {@code /metrics}, {@code /healthz},
 * {@code /readyz}, the status API ({@code /api/monitors}, {@code /api/monitors/<name>}, {@code /api/findings},
 * {@code /api/proofs/<id>}) and the status page at {@code /}. See docs/service.md.
 */
public final class StatusServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final Pattern PROOF_ID = Pattern.compile("[0-9a-f]{64}");

    private final HttpServer server;
    private final ExecutorService executor;
    private final MonitorScheduler scheduler;
    private final AuditStore store;
    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Clock clock;
    private final String runtime;

    public StatusServer(String host, int port, MonitorScheduler scheduler, AuditStore store, PrometheusRegistry registry,
            Clock clock, String runtime) throws IOException {
        this.scheduler = scheduler;
        this.store = store;
        this.registry = registry;
        this.clock = clock;
        this.runtime = runtime;
        dev.vitra.watchdog.util.HttpServerLimits.apply();
        this.server = HttpServer.create(new InetSocketAddress(host, port), 16);
        this.executor = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "http-status");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Threads that read requests and write responses: a client that trickles its headers holds one. */
    static final int WORKERS = 8;
    public void start() {
        server.start();
        LOG.info("listening on http://{}:{}/", server.getAddress().getHostString(), port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                x.getResponseHeaders().add("Allow", "GET, HEAD");
                send(x, 405, "text/plain; charset=utf-8", "read-only: only GET and HEAD\n");
                return;
            }
            String path = x.getRequestURI().getPath();
            Instant now = clock.instant();
            switch (path) {
                case "/metrics" -> metrics(x);
                case "/healthz" -> send(x, 200, "text/plain; charset=utf-8", "ok\n");
                case "/readyz" -> ready(x);
                case "/api/monitors" -> json(x, 200, new JsonValue.Arr(sorted().stream().map(m -> StatusJson.monitor(m, now)).toList()));
                case "/api/findings" -> findings(x, now);
                case "/" -> send(x, 200, "text/html; charset=utf-8", StatusPage.render(sorted(), now, runtime));
                default -> {
                    if (path.startsWith("/api/monitors/")) {
                        Optional<MonitorState> m = scheduler.monitor(path.substring("/api/monitors/".length()));
                        if (m.isPresent()) {
                            json(x, 200, StatusJson.monitor(m.get(), now));
                        } else {
                            notFound(x, "no monitor of that name");
                        }
                    } else if (path.startsWith("/api/proofs/")) {
                        proof(x, path.substring("/api/proofs/".length()));
                    } else {
                        notFound(x, "no such page");
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("{} {}: {}", x.getRequestMethod(), x.getRequestURI(), e.toString());
            try {
                send(x, 500, "text/plain; charset=utf-8", "internal error\n");
            } catch (IOException | RuntimeException ignored) {
                // the response was already under way
            }
        }
    }

    private List<MonitorState> sorted() {
        List<MonitorState> list = new ArrayList<>(scheduler.monitors());
        list.sort(java.util.Comparator.comparing(m -> m.config().name()));
        return list;
    }

    private void metrics(HttpExchange x) throws IOException {
        // Text formats only (no protobuf writer on the class path): OpenMetrics when asked for, else Prometheus text.
        String accept = x.getRequestHeaders().getFirst("Accept");
        ExpositionFormatWriter writer = accept != null && accept.contains("application/openmetrics-text")
                ? formats.getOpenMetricsTextFormatWriter() : formats.getPrometheusTextFormatWriter();
        ByteArrayOutputStream body = new ByteArrayOutputStream(16384);
        writer.write(body, registry.scrape());
        send(x, 200, writer.getContentType(), body.toByteArray());
    }

    private void ready(HttpExchange x) throws IOException {
        List<String> problems = new ArrayList<>();
        if (!scheduler.started()) {
            problems.add("the scheduler is not running");
        }
        // Bounded (about 2 s) and never waiting for the pool: a probe must answer while the database is down.
        store.problem().ifPresent(p -> problems.add("the store is not reachable: " + p));
        if (problems.isEmpty()) {
            send(x, 200, "text/plain; charset=utf-8", "ready\n");
        } else {
            send(x, 503, "text/plain; charset=utf-8", String.join("\n", problems) + "\n");
        }
    }

    private void findings(HttpExchange x, Instant now) throws IOException {
        List<JsonValue> out = new ArrayList<>();
        for (MonitorState m : sorted()) {
            m.openFindings().forEach(f -> {
                JsonValue.Obj o = (JsonValue.Obj) StatusJson.finding(f);
                java.util.Map<String, JsonValue> withMonitor = new java.util.LinkedHashMap<>();
                withMonitor.put("monitor", StatusJson.str(m.config().name()));
                withMonitor.putAll(o.members());
                out.add(new JsonValue.Obj(withMonitor));
            });
        }
        json(x, 200, new JsonValue.Arr(out));
    }

    private void proof(HttpExchange x, String id) throws IOException {
        if (!PROOF_ID.matcher(id).matches()) {
            notFound(x, "a proof id is 64 lowercase hex digits");
            return;
        }
        Optional<byte[]> proof;
        try (StoreSession s = store.session()) {
            proof = s.proofById(id);
        }
        if (proof.isEmpty()) {
            notFound(x, "no proof with that id");
            return;
        }
        x.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + id + ".json\"");
        send(x, 200, "application/json", proof.get());
    }

    private static void notFound(HttpExchange x, String why) throws IOException {
        send(x, 404, "text/plain; charset=utf-8", why + "\n");
    }

    private static void json(HttpExchange x, int status, JsonValue v) throws IOException {
        send(x, status, "application/json", Json.write(v) + "\n");
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        send(x, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (type.startsWith("text/html")) {
            x.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        }
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
