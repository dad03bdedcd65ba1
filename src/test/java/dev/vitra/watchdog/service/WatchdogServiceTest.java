package dev.vitra.watchdog.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.audit.AuditSettings;
import dev.vitra.watchdog.audit.AuditTarget;
import dev.vitra.watchdog.audit.Auditor;
import dev.vitra.watchdog.audit.PassReport;
import dev.vitra.watchdog.audit.Verdict;
import dev.vitra.watchdog.config.ConfigLoader;
import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.evidence.ProofCodec;
import dev.vitra.watchdog.evidence.ProofVerifier;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.ExecutorServer;
import dev.vitra.watchdog.executor.Fault;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.PostgresServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service end to end on loopback: real Quartz schedules, the reference executor (honest, cheating, slow, rate
 * limiting, down), a real H2 file, and the HTTP listener read over HTTP.
 */
class WatchdogServiceTest {
    private static ContractEngine engine;
    private static String counter;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void engine() throws Exception {
        engine = ContractEngine.create(ContractLimits.defaults());
        try (InputStream in = WatchdogServiceTest.class.getResourceAsStream("/contracts/counter.js")) {
            counter = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    @org.junit.jupiter.api.AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /** A counter database with {@code ops} increments processed, served on loopback. */
    private record Db(Executor executor, ExecutorServer server) {
        String url() {
            return server.baseUrl();
        }

        String index() {
            return executor.indexLogId().hex();
        }

        void increment(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                executor.call(executor.participants().get(0), "increment", "{}");
            }
            executor.processPending();
        }
    }

    private Db database(Path dir, int ops, Fault... faults) throws Exception {
        Executor ex = Executor.create(dir, counter, 1, engine, Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC));
        ExecutorServer server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofHours(1));
        toClose.add(server);
        Db db = new Db(ex, server);
        db.increment(ops);
        for (Fault f : faults) {
            ex.setFault(f, true);
        }
        return db;
    }

    private static String monitor(String name, String url, String index) {
        return "  - name: " + name + "\n    executor: \"" + url + "\"\n    index-log: " + index + "\n"
                + "    schedule: {every: 1s}\n    freshness-deadline: 1m\n";
    }

    private static String config(Path dir, String monitors) {
        return "store:\n  h2-file: " + dir.resolve("watchdog.mv.db") + "\nhttp:\n  listen: 127.0.0.1:0\nworkers: 4\n"
                + "limits:\n  http-read-timeout: 1s\n  http-call-timeout: 3s\n  http-attempts: 2\n"
                + "monitors:\n" + monitors;
    }

    private WatchdogService start(Path file) throws Exception {
        WatchdogService s = WatchdogService.start(ConfigLoader.load(file));
        toClose.add(s);
        return s;
    }

    private HttpResponse<String> get(WatchdogService s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonValue.Obj monitorStatus(WatchdogService s, String name) throws Exception {
        HttpResponse<String> r = get(s, "/api/monitors/" + name);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return (JsonValue.Obj) Json.parse(r.body());
    }

    private static String text(JsonValue.Obj o, String key) {
        JsonValue v = o.members().get(key);
        return v instanceof JsonValue.Str s ? s.value() : v == null ? null : Json.write(v);
    }

    /** Polls the monitor's status until {@code done} holds (real schedules: seconds, not ticks). */
    private JsonValue.Obj await(WatchdogService s, String name, Predicate<JsonValue.Obj> done) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonValue.Obj last = null;
        while (System.nanoTime() < end) {
            last = monitorStatus(s, name);
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("monitor " + name + " never got there: " + (last == null ? "no status" : Json.write(last)));
    }

    private static Predicate<JsonValue.Obj> passes(int n) {
        return o -> Long.parseLong(text(o, "passes")) >= n;
    }

    private static int freePortWithNothingListening() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void severalMonitorsRunOnTheirSchedulesAndTheListenerShowsEachState(@TempDir Path dir) throws Exception {
        Db honest = database(dir.resolve("honest"), 5);
        Db cheat = database(dir.resolve("cheat"), 3);
        cheat.executor().setFault(Fault.WRONG_CHANGES, true);
        cheat.increment(1);
        Db limited = database(dir.resolve("limited"), 4, Fault.RATE_LIMIT_429);
        Db slow = database(dir.resolve("slow"), 2, Fault.SLOW_RESPONSES);
        Path file = dir.resolve("monitors.yaml");
        Files.writeString(file, config(dir, monitor("honest", honest.url(), honest.index()) + monitor("cheat", cheat.url(), cheat.index())
                + monitor("limited", limited.url(), limited.index()) + monitor("slow", slow.url(), slow.index())
                + monitor("down", "http://127.0.0.1:" + freePortWithNothingListening() + "/a&b'c", database(dir.resolve("down"), 0).index())));
        WatchdogService s = start(file);

        JsonValue.Obj h = await(s, "honest", passes(1));
        assertThat(text(h, "state")).isEqualTo("verified");
        assertThat(text(h, "verifiedPosition")).isEqualTo(text(h, "indexSize"));
        JsonValue.Obj c = await(s, "cheat", passes(1));
        assertThat(text(c, "state")).isEqualTo("breached");
        assertThat(text(await(s, "limited", passes(1)), "state")).isEqualTo("verified");
        assertThat(text(await(s, "down", passes(1)), "state")).isEqualTo("unavailable");
        assertThat(text(await(s, "slow", passes(1)), "state")).isEqualTo("unavailable");
        // The slow and the dead executor hold a worker each; the honest monitor keeps its schedule.
        await(s, "honest", passes(4));

        // The breach's proof is served byte for byte and verifies offline.
        String proofId = ((JsonValue.Obj) ((JsonValue.Arr) c.members().get("openFindings")).elements().stream()
                .filter(f -> text((JsonValue.Obj) f, "kind").equals("fraud")).findFirst().orElseThrow()).members().get("proofId")
                instanceof JsonValue.Str id ? id.value() : null;
        assertThat(proofId).isNotNull();
        HttpResponse<byte[]> proof = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + "/api/proofs/"
                + proofId)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(proof.statusCode()).isEqualTo(200);
        assertThat(ProofCodec.id(proof.body())).isEqualTo(proofId);
        ProofVerifier.verify(ProofCodec.parse(proof.body()));
        assertThat(get(s, "/api/proofs/" + "0".repeat(64)).statusCode()).isEqualTo(404);
        assertThat(get(s, "/api/proofs/..%2f..%2fetc").statusCode()).isEqualTo(404);

        // Metrics, scraped over HTTP.
        String metrics = get(s, "/metrics").body();
        assertThat(metrics).contains("vitra_watchdog_monitor_state{monitor=\"honest\",state=\"verified\"} 1.0",
                "vitra_watchdog_monitor_state{monitor=\"cheat\",state=\"breached\"} 1.0",
                "vitra_watchdog_findings_open{code=\"ChangeMismatchError\",kind=\"fraud\",monitor=\"cheat\"} 1.0",
                "vitra_watchdog_lag_entries{monitor=\"honest\"} 0.0",
                "vitra_watchdog_http_fetches_total{monitor=\"limited\",outcome=\"retry\"}",
                "vitra_watchdog_http_fetches_total{monitor=\"down\",outcome=\"network\"}",
                "vitra_watchdog_pass_duration_seconds_bucket{monitor=\"honest\"",
                "vitra_watchdog_ops_replayed_total{monitor=\"honest\"} 5.0",
                "vitra_watchdog_contract_runtime_info{", "jvm_memory_used_bytes");
        // Prometheus asking for protobuf first (review finding: an empty reply) gets a text format it also accepts.
        HttpResponse<String> negotiated = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + "/metrics"))
                .header("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,"
                        + "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(negotiated.statusCode()).isEqualTo(200);
        assertThat(negotiated.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
        assertThat(negotiated.body()).contains("vitra_watchdog_monitor_state").endsWith("# EOF\n");
        // Every metric the Grafana dashboard and the alerting rules use exists in this real scrape.
        for (String name : dev.vitra.watchdog.metrics.DashboardAndRulesTest.metricNames()) {
            assertThat(metrics).as("grafana/ uses %s", name).containsPattern("(?m)^" + name + "[{ ]");
        }

        // The status page and the probes; nothing on the listener changes state.
        HttpResponse<String> page = get(s, "/");
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("data-monitor=\"cheat\"", "<span class=\"state breached\">breached</span>",
                "href=\"/api/proofs/" + proofId + "\"", "/a&amp;b&#39;c").doesNotContain("/a&b'c");
        // What a person sees: the page as headless Chromium renders it.
        String dom = chromiumDom("http://127.0.0.1:" + s.httpPort() + "/", dir.resolve("chromium"));
        java.util.Map<String, String> shown = new java.util.TreeMap<>();
        java.util.regex.Matcher row = java.util.regex.Pattern.compile(
                "<tr data-monitor=\"([a-z]+)\">.*?<span class=\"state [a-z]+\">([a-z]+)</span>", java.util.regex.Pattern.DOTALL).matcher(dom);
        while (row.find()) {
            shown.put(row.group(1), row.group(2));
        }
        assertThat(shown).containsEntry("honest", "verified").containsEntry("cheat", "breached").containsEntry("down", "unavailable")
                .containsEntry("slow", "unavailable").containsKey("limited");
        assertThat(dom).contains("1 breached", "/a&amp;b'c", "ChangeMismatchError");
        assertThat(get(s, "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(s, "/readyz").statusCode()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + "/api/monitors"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(405);
        assertThat(get(s, "/api/monitors/nobody").statusCode()).isEqualTo(404);
        JsonValue findings = Json.parse(get(s, "/api/findings").body());
        assertThat(Json.write(findings)).contains("\"monitor\":\"cheat\"", "ChangeMismatchError");
    }

    /** The DOM headless Chromium builds from {@code url} (Debian's chromium; the flags keep it off the network). */
    private static String chromiumDom(String url, Path profile) throws Exception {
        Path chromium = dev.vitra.watchdog.metrics.ExternalTools.require("chromium", "chromium");
        Files.createDirectories(profile);
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--dump-dom", url).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return dom;
    }

    @Test
    void reloadAddsRemovesAndKeepsTheRunningConfigWhenTheNewOneIsInvalid(@TempDir Path dir) throws Exception {
        Db a = database(dir.resolve("a"), 3);
        Db b = database(dir.resolve("b"), 2);
        Path file = dir.resolve("monitors.yaml");
        Files.writeString(file, config(dir, monitor("a", a.url(), a.index())));
        WatchdogService s = start(file);
        await(s, "a", passes(1));

        Files.writeString(file, config(dir, monitor("b", b.url(), b.index())));
        assertThat(s.reload()).isEmpty();
        assertThat(text(await(s, "b", passes(1)), "state")).isEqualTo("verified");
        assertThat(get(s, "/api/monitors/a").statusCode()).isEqualTo(404);
        assertThat(get(s, "/metrics").body()).contains("monitor=\"b\"").doesNotContain("monitor=\"a\"");

        Files.writeString(file, config(dir, monitor("b", b.url(), b.index()) + "    colour: blue\n"));
        assertThat(s.reload()).singleElement().asString().contains("monitors[0].colour: unknown key");
        assertThat(text(monitorStatus(s, "b"), "state")).isEqualTo("verified");

        // Back to a: it resumes from the store, nothing to verify again.
        a.increment(2);
        Files.writeString(file, config(dir, monitor("a", a.url(), a.index()) + monitor("b", b.url(), b.index())));
        assertThat(s.reload()).isEmpty();
        JsonValue.Obj again = await(s, "a", passes(1));
        assertThat(text(again, "state")).isEqualTo("verified");
        assertThat(text(again, "lastPassTransactions")).isEqualTo("2");
    }

    @Test
    void aRestartResumesWhereTheLastRunStopped(@TempDir Path dir) throws Exception {
        Db a = database(dir.resolve("a"), 4);
        Path file = dir.resolve("monitors.yaml");
        Files.writeString(file, config(dir, monitor("a", a.url(), a.index())));
        WatchdogService first = start(file);
        assertThat(text(await(first, "a", passes(1)), "lastPassTransactions")).isEqualTo("4");
        first.close();
        a.increment(3);
        WatchdogService second = start(file);
        JsonValue.Obj status = await(second, "a", passes(1));
        assertThat(text(status, "lastPassTransactions")).isEqualTo("3");
        assertThat(text(status, "state")).isEqualTo("verified");
    }

    @Test
    void onPostgresMonitorsVerifyCatchACheatServeTheProofAndResumeAfterARestart(@TempDir Path dir) throws Exception {
        String url = PostgresServer.newDatabase();
        Files.writeString(dir.resolve("db-password"), PostgresServer.PASSWORD + "\n");
        Db honest = database(dir.resolve("honest"), 4);
        Db cheat = database(dir.resolve("cheat"), 2);
        cheat.executor().setFault(Fault.WRONG_CHANGES, true);
        cheat.increment(1);
        Path file = dir.resolve("monitors.yaml");
        Files.writeString(file, config(dir, monitor("honest", honest.url(), honest.index()) + monitor("cheat", cheat.url(), cheat.index()))
                .replace("  h2-file: " + dir.resolve("watchdog.mv.db"), "  jdbc-url: " + url + "\n  user: " + PostgresServer.USER
                        + "\n  password-file: db-password"));
        WatchdogService first = start(file);
        assertThat(text(await(first, "honest", passes(1)), "state")).isEqualTo("verified");
        JsonValue.Obj breached = await(first, "cheat", o -> "breached".equals(text(o, "state")));
        String proofId = ((JsonValue.Obj) ((JsonValue.Arr) breached.members().get("openFindings")).elements().getFirst())
                .members().get("proofId") instanceof JsonValue.Str id ? id.value() : null;
        HttpResponse<byte[]> proof = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.httpPort()
                + "/api/proofs/" + proofId)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(proof.statusCode()).isEqualTo(200);
        ProofVerifier.verify(ProofCodec.parse(proof.body()));
        assertThat(get(first, "/readyz").statusCode()).isEqualTo(200);
        first.close();

        honest.increment(3);
        WatchdogService second = start(file);
        assertThat(text(monitorStatus(second, "cheat"), "state")).isEqualTo("breached"); // from the store, before any pass
        JsonValue.Obj status = await(second, "honest", passes(1));
        assertThat(text(status, "lastPassTransactions")).isEqualTo("3");
        assertThat(text(status, "state")).isEqualTo("verified");
    }

    @Test
    void aBreachProvenBeforeARestartShowsWithItsProofBeforeTheFirstPass(@TempDir Path dir) throws Exception {
        Db cheat = database(dir.resolve("cheat"), 2);
        cheat.executor().setFault(Fault.WRONG_CHANGES, true);
        cheat.increment(1);
        Path file = dir.resolve("monitors.yaml");
        Files.writeString(file, config(dir, monitor("cheat", cheat.url(), cheat.index())));
        WatchdogService first = start(file);
        assertThat(text(await(first, "cheat", passes(1)), "state")).isEqualTo("breached");
        first.close();
        // Restarted with a schedule that runs no pass soon: what shows comes from the store alone.
        Files.writeString(file, config(dir, monitor("cheat", cheat.url(), cheat.index()))
                .replace("schedule: {every: 1s}\n    freshness-deadline: 1m", "schedule: {cron: '0 0 3 1 1 ?'}\n    freshness-deadline: 400d"));
        WatchdogService second = start(file);
        JsonValue.Obj status = monitorStatus(second, "cheat");
        assertThat(text(status, "passes")).isEqualTo("0");
        assertThat(text(status, "state")).isEqualTo("breached");
        assertThat(text(status, "openFindings")).contains("ChangeMismatchError", "proofId");
        // ... and in the metrics, so the alert keeps firing across the restart (review round 2).
        assertThat(get(second, "/metrics").body()).contains("vitra_watchdog_monitor_state{monitor=\"cheat\",state=\"breached\"} 1.0",
                "vitra_watchdog_findings_open{code=\"ChangeMismatchError\",kind=\"fraud\",monitor=\"cheat\"} 1.0");
    }

    @Test
    void twoPassesOverOneDatabaseNeverInterleave(@TempDir Path dir) throws Exception {
        // Review round 2: a monitor renamed while its pass ran started a second pass over the same stored state, and
        // their interleaved writes made a false fraud claim. A pass now holds the database for itself.
        Db a = database(dir.resolve("a"), 5);
        AuditTarget target = new AuditTarget(a.executor().indexLogId(), a.url());
        try (AuditStore store = AuditStore.openH2(dir.resolve("w.mv.db"))) {
            Auditor auditor = new Auditor(store, engine, AuditSettings.defaults(), Clock.systemUTC());
            java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.Future<PassReport> first = java.util.concurrent.Executors.newSingleThreadExecutor().submit(() ->
                    auditor.pass(target, line -> { }, () -> {
                        inside.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return false;
                    }));
            inside.await();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> auditor.pass(target, line -> { }))
                    .isInstanceOf(Auditor.DatabaseBusyException.class);
            release.countDown();
            assertThat(first.get().verdict()).isEqualTo(Verdict.VERIFIED);
            assertThat(auditor.pass(target, line -> { }).verdict()).isEqualTo(Verdict.VERIFIED);
        }
    }

    @Test
    void renamingAMonitorWhileItsPassRunsNeverClaimsFraud(@TempDir Path dir) throws Exception {
        Db a = database(dir.resolve("a"), 1500);
        Path file = dir.resolve("monitors.yaml");
        Files.writeString(file, config(dir, monitor("before", a.url(), a.index())));
        WatchdogService s = start(file);
        await(s, "before", o -> text(o, "running").equals("true"));
        Files.writeString(file, config(dir, monitor("after", a.url(), a.index())));
        assertThat(s.reload()).isEmpty();
        JsonValue.Obj after = await(s, "after", o -> text(o, "verdict") != null && text(o, "verdict").equals("verified"));
        assertThat(text(after, "state")).isEqualTo("verified");
        assertThat(get(s, "/api/findings").body()).doesNotContain("fraud");
    }

    @Test
    void clientsThatNeverFinishTheirHeadersDoNotTakeTheListener(@TempDir Path dir) throws Exception {
        // Review round 2: two such connections made every page time out.
        Db a = database(dir.resolve("a"), 1);
        Path file = dir.resolve("monitors.yaml");
        Files.writeString(file, config(dir, monitor("a", a.url(), a.index())));
        WatchdogService s = start(file);
        List<java.net.Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), s.httpPort());
                socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            HttpResponse<String> health = HttpClient.newBuilder().build().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + s.httpPort() + "/healthz")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            for (java.net.Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void aPassAskedToStopCommitsAtAChunkBoundaryAndTheNextPassFinishes(@TempDir Path dir) throws Exception {
        Db a = database(dir.resolve("a"), 30);
        AuditSettings oneByOne = AuditSettings.defaults().withChunks(1, Duration.ofHours(1));
        AuditTarget target = new AuditTarget(a.executor().indexLogId(), a.url());
        try (AuditStore store = AuditStore.openH2(dir.resolve("w.mv.db"))) {
            Auditor auditor = new Auditor(store, engine, oneByOne, Clock.systemUTC());
            int[] chunks = {0};
            PassReport stopped = auditor.pass(target, line -> { }, () -> ++chunks[0] > 5);
            assertThat(stopped.verdict()).isEqualTo(Verdict.PENDING);
            assertThat(stopped.notes()).anyMatch(n -> n.startsWith("stopped early"));
            assertThat(stopped.transactions()).isBetween(1L, 29L);
            PassReport rest = auditor.pass(target, line -> { });
            assertThat(rest.verdict()).isEqualTo(Verdict.VERIFIED);
            assertThat(stopped.transactions() + rest.transactions()).isEqualTo(30);
        }
    }

    @Test
    void theConfigOfTheRepositoryNamesEveryOptionTheLoaderKnows() throws Exception {
        String example = Files.readString(Path.of("monitors.yaml"));
        for (String key : List.of("h2-file", "jdbc-url", "password-env", "password-file", "listen", "workers", "http-connect-timeout",
                "http-read-timeout", "http-call-timeout", "http-attempts", "max-checkpoint-bytes", "max-bundle-bytes", "max-growth",
                "contract-time-budget", "contract-heap-fraction", "name", "executor", "index-log", "oplog-bases", "every", "jitter",
                "cron", "pending-deadline", "freshness-deadline", "accept-forks", "alerts", "availability-after", "renotify-every",
                "max-attempts", "templates", "smtp", "host", "port", "security", "user", "from", "timeout", "channels", "type", "to",
                "url", "secret-env", "secret-file", "repeat-every", "routes", "fraud", "availability", "notice", "heartbeat", "digest",
                "every", "at")) {
            assertThat(example).as(key).contains(key + ":");
        }
        WatchdogConfig c = ConfigLoader.load(Path.of("monitors.yaml"),
                Map.of("VITRA_SMTP_PASSWORD", "x", "VITRA_WEBHOOK_SECRET", "y")::get);
        assertThat(c.monitors()).isNotEmpty();
        assertThat(c.alerts().channels()).hasSize(3);
        assertThat(c.monitors().getFirst().alerts().notice()).containsExactly("ops-mail");
        assertThat(c.monitors().getFirst().alerts().fraud()).containsExactly("ops-mail", "pager", "alertmanager");
    }
}
