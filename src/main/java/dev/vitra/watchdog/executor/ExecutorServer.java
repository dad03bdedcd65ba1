package dev.vitra.watchdog.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.vitra.watchdog.contract.CallOutcome;
import dev.vitra.watchdog.note.LogId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves one {@link Executor} over HTTP: every log under {@code /logs/<log id>/} (PROTOCOL §2) and the
 * participant API {@code POST /databases/<index log id>/call/<method>} with a JSON body
 * {@code {"participant": "<oplog id>", "params": ...}}. Ops a call emits are processed in batches, at most
 * {@code batchDelay} after they were appended. Errors are 4xx/5xx with a JSON body {@code {"error": "..."}}.
 */
public final class ExecutorServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ExecutorServer.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    private final Executor executor;
    private final StaticLogServer server;
    private final ScheduledExecutorService processor;
    private final Duration batchDelay;
    private final AtomicBoolean processingScheduled = new AtomicBoolean();

    private ExecutorServer(Executor executor, StaticLogServer server, Duration batchDelay) {
        this.executor = executor;
        this.server = server;
        this.batchDelay = batchDelay;
        java.util.concurrent.ScheduledThreadPoolExecutor pool = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "executor-processing");
            t.setDaemon(true);
            return t;
        });
        // Closing waits for a batch that is running, not for one scheduled later (ops stay on disk for the next start).
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.processor = pool;
    }

    public static ExecutorServer start(Executor executor, InetSocketAddress address, Duration batchDelay) throws IOException {
        StaticLogServer server = StaticLogServer.start(executor.dataDir(), address);
        ExecutorServer s = new ExecutorServer(executor, server, batchDelay);
        server.addHandler("/databases/", s::handleDatabases);
        server.addHandler("/admin/faults", s::handleFaults);
        server.setFilter(s::misbehave);
        s.scheduleProcessing(); // ops appended before a restart
        return s;
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    /** The URL a monitor is configured with for the index log. */
    public String indexLogUrl() {
        return baseUrl() + "/logs/" + executor.indexLogId().hex();
    }

    private void handleDatabases(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts = exchange.getRequestURI().getPath().split("/");
            // ["", "databases", "<id>", "call", "<method>"]
            if (parts.length != 5 || !parts[3].equals("call") || parts[4].isEmpty()) {
                error(exchange, 404, "no such resource; the participant API is POST /databases/<index log id>/call/<method>");
                return;
            }
            if (!parts[2].equals(executor.indexLogId().hex())) {
                error(exchange, 404, "no database with index log id " + parts[2]);
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                error(exchange, 405, "use POST to call a contract method");
                return;
            }
            byte[] body = readCapped(exchange.getRequestBody());
            if (body == null) {
                error(exchange, 413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                error(exchange, 400, "request body is not JSON: " + e.getOriginalMessage());
                return;
            } catch (IOException e) {
                // Jackson reports undecodable bytes (e.g. an impossible UTF-32 guess) as a plain IOException.
                error(exchange, 400, "request body is not JSON text: " + e.getMessage());
                return;
            }
            if (request == null || !request.isObject() || !request.path("participant").isTextual()) {
                error(exchange, 400, "request body must be a JSON object with \"participant\" (an oplog id) and optional \"params\"");
                return;
            }
            LogId participant;
            try {
                participant = LogId.parse(request.get("participant").asText());
            } catch (IllegalArgumentException e) {
                error(exchange, 400, "participant: " + e.getMessage());
                return;
            }
            if (!executor.participants().contains(participant)) {
                error(exchange, 403, "participant " + participant.hex() + " has no oplog in this database");
                return;
            }
            JsonNode params = request.get("params");
            Executor.CallResult result = executor.call(participant, parts[4], params == null ? null : JSON.writeValueAsString(params));
            switch (result.outcome()) {
                case CallOutcome.Returned r -> {
                    ObjectNode out = JSON.createObjectNode();
                    out.set("result", r.resultJson().isPresent() ? JSON.readTree(r.resultJson().get()) : null);
                    ArrayNode ops = out.putArray("ops");
                    for (long seq : result.opPositions()) {
                        ops.addObject().put("oplog", participant.hex()).put("seq", seq);
                    }
                    if (!result.opPositions().isEmpty()) {
                        scheduleProcessing();
                    }
                    send(exchange, 200, JSON.writeValueAsBytes(out));
                }
                case CallOutcome.Failed f -> error(exchange, 422, f.error());
                case CallOutcome.Aborted a -> error(exchange, 503, a.reason() + ": " + a.detail());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "participant API failed", e);
            error(exchange, 500, "internal error: " + e.getMessage());
        }
    }

    /**
     * Fault switches, loopback only: {@code GET /admin/faults} lists them; {@code POST /admin/faults/<MODE>} with
     * {@code {"enabled": true|false}} turns one on or off.
     */
    private void handleFaults(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
                error(exchange, 403, "the fault switches answer on loopback only");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/admin/faults") && exchange.getRequestMethod().equals("GET")) {
                ObjectNode out = JSON.createObjectNode();
                for (Fault f : Fault.values()) {
                    out.putObject(f.name()).put("enabled", executor.faults().contains(f))
                            .put("does", f.description()).put("monitor should conclude", f.conclusion());
                }
                send(exchange, 200, JSON.writeValueAsBytes(out));
                return;
            }
            String name = path.startsWith("/admin/faults/") ? path.substring("/admin/faults/".length()) : "";
            Fault fault;
            try {
                fault = Fault.valueOf(name);
            } catch (IllegalArgumentException e) {
                error(exchange, 404, "no fault mode \"" + name + "\"; GET /admin/faults lists them");
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                error(exchange, 405, "use POST with {\"enabled\": true|false}");
                return;
            }
            byte[] body = readCapped(exchange.getRequestBody());
            JsonNode request;
            try {
                request = body == null ? null : JSON.readTree(body);
            } catch (IOException e) {
                request = null; // not JSON, or bytes Jackson cannot even decode
            }
            if (request == null || !request.path("enabled").isBoolean()) {
                error(exchange, 400, "body must be {\"enabled\": true|false}");
                return;
            }
            try {
                executor.setFault(fault, request.get("enabled").asBoolean());
            } catch (IllegalStateException e) {
                error(exchange, 409, e.getMessage());
                return;
            }
            send(exchange, 200, JSON.writeValueAsBytes(JSON.createObjectNode().put(fault.name(), request.get("enabled").asBoolean())));
        }
    }

    private final java.util.concurrent.atomic.AtomicLong logRequests = new java.util.concurrent.atomic.AtomicLong();

    /** Applies the wire faults that are on to a log response. */
    private final java.util.Map<InetSocketAddress, Boolean> forkedView = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong connectionsSeen = new java.util.concurrent.atomic.AtomicLong();

    private StaticLogServer.Served misbehave(String path, StaticLogServer.Served served, InetSocketAddress client)
            throws InterruptedException, IOException {
        java.util.Set<Fault> on = executor.faults();
        if (!path.startsWith("/logs/")) {
            return served;
        }
        if (on.contains(Fault.EQUIVOCATE) && path.startsWith("/logs/" + executor.indexLogId().hex() + "/")) {
            // Every second client connection sees the forked index log, consistently for that connection.
            if (forkedView.size() > 10_000) {
                forkedView.clear();
            }
            boolean forked = forkedView.computeIfAbsent(client, c -> connectionsSeen.getAndIncrement() % 2 == 1);
            if (forked) {
                java.nio.file.Path file = executor.forkDir().resolve(path.substring(1)).normalize();
                if (file.startsWith(executor.forkDir()) && java.nio.file.Files.isRegularFile(file)) {
                    return new StaticLogServer.Served(200, java.nio.file.Files.readAllBytes(file), java.util.Map.of());
                }
            }
        }
        long n = logRequests.incrementAndGet();
        if (on.contains(Fault.SLOW_RESPONSES)) {
            Thread.sleep(2000);
        }
        if (on.contains(Fault.INTERMITTENT_500) && n % 2 == 0) {
            return StaticLogServer.Served.status(500, "injected failure\n");
        }
        if (on.contains(Fault.RATE_LIMIT_429) && n % 2 == 0) {
            return new StaticLogServer.Served(429, "slow down\n".getBytes(StandardCharsets.UTF_8), java.util.Map.of("Retry-After", "1"));
        }
        boolean tile = path.contains("/tile/");
        if (on.contains(Fault.WITHHOLD_TILES) && tile) {
            return StaticLogServer.Served.status(404, "withheld\n");
        }
        if (served.status() != 200) {
            return served;
        }
        byte[] body = served.body().clone();
        if (on.contains(Fault.BAD_SIGNATURE) && path.endsWith("/checkpoint") && body.length > 12) {
            // A character inside the last signature's base64, swapped for another base64 character.
            int at = body.length - 10;
            body[at] = (byte) (body[at] == 'A' ? 'B' : 'A');
            return new StaticLogServer.Served(200, body, served.headers());
        }
        if (on.contains(Fault.CORRUPT_BUNDLE) && path.contains("/tile/entries/") && body.length > 2) {
            body[2] ^= 0x01;
            return new StaticLogServer.Served(200, body, served.headers());
        }
        if (on.contains(Fault.CORRUPT_TILE) && tile && !path.contains("/tile/entries/") && body.length > 0) {
            body[0] ^= 0x01;
            return new StaticLogServer.Served(200, body, served.headers());
        }
        return served;
    }

    private void scheduleProcessing() {
        scheduleProcessing(batchDelay);
    }

    /** Processes pending ops after {@code delay}; ops still pending afterwards (a limit, an error) are retried. */
    private void scheduleProcessing(Duration delay) {
        if (processingScheduled.compareAndSet(false, true)) {
            processor.schedule(() -> {
                processingScheduled.set(false);
                boolean retry;
                try {
                    executor.processPending();
                    retry = executor.hasPending();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.ERROR, "processing ops failed; retrying in " + RETRY_DELAY.toSeconds() + " s", e);
                    retry = true;
                }
                if (retry && !processor.isShutdown()) {
                    scheduleProcessing(RETRY_DELAY);
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static byte[] readCapped(InputStream in) throws IOException {
        byte[] data = in.readNBytes(MAX_BODY_BYTES + 1);
        return data.length > MAX_BODY_BYTES ? null : data;
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        ObjectNode out = JSON.createObjectNode().put("error", message);
        send(exchange, status, JSON.writeValueAsBytes(out));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        processor.shutdown();
        try {
            processor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
    }
}
